import type { ReadRequest, Source, SourceDeps, SourceRead } from '../source.js';
import { joinSnapshots } from './join.js';
import type { JoinedSourceConfig } from './schema.js';

export { joinSnapshots } from './join.js';
export type { JoinStats } from './join.js';
export { joinedMemberSchema, precedenceSchema, type JoinedSourceConfig, type JoinedMember } from './schema.js';

/** Builds a member source; the registry passes its own createSource. */
export type MemberFactory<S> = (config: S, deps: SourceDeps) => Source;

/**
 * Several sources read as one directory (a profile's `sources:`): every member is read (each with
 * its own cursor, incrementally where it can), and only when all of them gave a complete read are
 * they joined. One member failing fails the read, naming it: nothing is planned (so nothing is
 * deleted) from a partial directory.
 */
export class JoinedSource<S> implements Source {
  readonly kind = 'joined';
  readonly issueWords = { one: 'entry with problems', many: 'entries with problems' };
  private readonly members: { name: string; joinOn: string; required: boolean; source: Source }[];

  constructor(
    private readonly config: JoinedSourceConfig<S>,
    deps: SourceDeps,
    make: MemberFactory<S>,
  ) {
    this.members = config.sources.map((m, i) => ({
      name: m.name,
      joinOn: m.joinOn,
      required: m.required,
      source: make(m.source, {
        ...deps,
        log: deps.log.child({ source: m.name }),
        // Each member keeps its state under its own name: two LDAP directories never share a cursor.
        ...(deps.keyPrefix !== undefined ? { keyPrefix: `${deps.keyPrefix}${m.name}:` } : {}),
        ...(deps.keyToFix ? { keyToFix: (key: string) => deps.keyToFix!(`sources.${i}.source.${key}`) } : {}),
      }),
    }));
  }

  async read(request: ReadRequest): Promise<SourceRead> {
    const cursors = parseCursor(request.cursor);
    const reads = await Promise.all(
      this.members.map(async (m) => {
        try {
          const cursor = cursors[m.name];
          return await m.source.read({
            ...request,
            ...(cursor !== undefined ? { cursor } : { cursor: undefined }),
            // A member without a cursor of its own (new in the config) reads in full.
            mode: cursor === undefined ? 'full' : request.mode,
          });
        } catch (err) {
          // The member's own error (its exit code, the key it names), saying which source it is.
          throw named(err, m.name);
        }
      }),
    );
    const { snapshot, stats, warnings } = joinSnapshots({
      members: this.members,
      precedence: this.config.precedence,
      snapshots: new Map(this.members.map((m, i) => [m.name, reads[i]!.snapshot])),
    });
    for (const w of warnings) snapshot.issues.push({ where: 'join', reason: w });
    const next: Record<string, string> = {};
    this.members.forEach((m, i) => {
      const c = reads[i]!.nextCursor ?? cursors[m.name];
      if (c !== undefined) next[m.name] = c;
    });
    return {
      snapshot,
      mode: reads.every((r) => r.mode === 'incremental') ? 'incremental' : 'full',
      requests: reads.reduce((n, r) => n + (r.requests ?? 0), 0),
      ...(Object.keys(next).length > 0 ? { nextCursor: JSON.stringify(next) } : {}),
      sources: stats.sources.map((s) => ({ ...s })),
      join: {
        people: stats.people,
        joined: stats.joined,
        notInRequired: stats.notInRequired,
        conflicts: stats.conflicts,
      },
    };
  }

  async check(): Promise<void> {
    for (const m of this.members) {
      try {
        await m.source.check?.();
      } catch (err) {
        throw named(err, m.name);
      }
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.members.map((m) => m.source.close?.()));
  }
}

/** The joined cursor: each member's own, by name (JSON). A cursor of another shape starts every member afresh. */
function parseCursor(cursor: string | undefined): Record<string, string> {
  if (!cursor) return {};
  try {
    const v = JSON.parse(cursor) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, string>) : {};
  } catch {
    return {};
  }
}

function named(err: unknown, source: string): unknown {
  if (err instanceof Error && !err.message.startsWith(`source ${source}: `))
    err.message = `source ${source}: ${err.message}`;
  return err;
}
