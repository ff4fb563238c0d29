import type { Entry } from 'ldapts';
import type { Directory, SearchSpec } from '../../../../src/sources/ldap/connection.js';

export interface Recorded {
  /** Pages returned, in order, for paged searches (any base). */
  pages?: Entry[][];
  /** Base searches: answer by the first requested attribute (e.g. `member;range=1500-*`), or by base DN. */
  byAttribute?: Record<string, Entry>;
  byBase?: Record<string, Entry>;
}

/** Replays recorded server answers through the interface the readers use; records what was asked. */
export function recordedDirectory(r: Recorded): Directory & { asked: { base: string; spec: SearchSpec }[] } {
  const asked: { base: string; spec: SearchSpec }[] = [];
  return {
    asked,
    requests: 0,
    async *pages(base: string, spec: SearchSpec) {
      asked.push({ base, spec });
      for (const page of r.pages ?? []) yield page;
    },
    async search(base: string, spec: SearchSpec) {
      asked.push({ base, spec });
      const hit = r.byAttribute?.[spec.attributes[0]!] ?? r.byBase?.[base];
      return hit ? [hit] : [];
    },
  };
}
