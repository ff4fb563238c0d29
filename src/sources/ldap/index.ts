import type { Client } from 'ldapts';
import { SourceReadError } from '../../errors/index.js';
import type { SourceDeps } from '../registry.js';
import type { ReadRequest, Source, SourceRead } from '../source.js';
import { buildSnapshot, newestMarker } from './build-snapshot.js';
import { connect, toSourceError } from './connection.js';
import { dialectOf, escapeFilterValue, type Dialect } from './presets.js';
import { readGroups, readInChain, readPeople, type RawGroup, type RawPerson, type ReadCounters } from './read-directory.js';
import type { LdapSourceConfig } from './schema.js';

export { ldapSourceSchema, type LdapSourceConfig } from './schema.js';

interface Cursor {
  marker: Dialect['changeMarker'];
  value: string;
}

interface RawState {
  people: RawPerson[];
  groups: RawGroup[];
}

/**
 * LDAP / Active Directory. A full read pages through people and groups; an incremental read asks
 * only for entries changed since the committed high-water mark and applies them onto the last
 * directory kept in Redis. Deletions show only in full reads, which the schedule must include.
 */
export class LdapSource implements Source {
  readonly kind = 'ldap';
  private readonly dialect: Dialect;

  constructor(private readonly config: LdapSourceConfig, private readonly deps: SourceDeps) {
    this.dialect = dialectOf(config);
  }

  private get stateKey(): string | undefined {
    return this.deps.redis && this.deps.keyPrefix !== undefined ? `${this.deps.keyPrefix}ldap:raw` : undefined;
  }

  async read(request: ReadRequest): Promise<SourceRead> {
    const client = await connect(this.config, this.deps.baseDir, this.deps.log);
    const n: ReadCounters = { pages: 0, requests: 1 };
    try {
      const previous = request.mode === 'incremental' ? await this.previous(request.cursor) : undefined;
      const state = previous ? await this.incremental(client, previous.state, previous.cursor, n) : await this.full(client, n);
      const numeric = this.dialect.changeMarker === 'uSNChanged';
      const value = newestMarker([previous?.cursor.value, ...state.people.map((p) => p.marker), ...state.groups.map((g) => g.marker)], numeric);
      await this.save(state);
      const snapshot = buildSnapshot(state.people, state.groups, state.skipped);
      this.deps.log.info({ people: snapshot.people.length, groups: snapshot.groups.length, pages: n.pages, mode: previous ? 'incremental' : 'full' }, 'ldap read');
      return {
        snapshot, mode: previous ? 'incremental' : 'full', requests: n.requests,
        ...(value !== undefined ? { nextCursor: JSON.stringify({ marker: this.dialect.changeMarker, value } satisfies Cursor) } : {}),
      };
    } catch (err) {
      throw toSourceError(err, this.config, 'search');
    } finally {
      await client.unbind().catch(() => {});
    }
  }

  async check(): Promise<void> {
    const client = await connect(this.config, this.deps.baseDir, this.deps.log);
    try {
      await client.search(this.config.people.baseDn, { scope: 'base', filter: '(objectClass=*)', attributes: ['dn'] });
      await client.search(this.config.groups.baseDn, { scope: 'base', filter: '(objectClass=*)', attributes: ['dn'] });
    } catch (err) {
      throw toSourceError(err, this.config, 'check');
    } finally {
      await client.unbind().catch(() => {});
    }
  }

  private async full(client: Client, n: ReadCounters): Promise<RawState & { skipped: { dn: string; reason: string }[] }> {
    const { people, skipped } = await readPeople(client, this.config, this.dialect, n);
    const groups = await readGroups(client, this.config, this.dialect, n);
    if (this.config.preset === 'active-directory' && this.config.nested === 'in-chain') {
      const chains = await readInChain(client, this.config, this.dialect, groups, n);
      for (const g of groups) g.memberDns = chains.get(g.id) ?? [];
    }
    return { people, groups, skipped };
  }

  /** Changed entries since the cursor, applied onto the stored directory (by immutable id). */
  private async incremental(client: Client, state: RawState, cursor: Cursor, n: ReadCounters): Promise<RawState & { skipped: { dn: string; reason: string }[] }> {
    const since = `(${cursor.marker}>=${escapeFilterValue(cursor.value)})`;
    const { people: changed, skipped } = await readPeople(client, this.config, this.dialect, n, since);
    const changedGroups = await readGroups(client, this.config, this.dialect, n, since);
    const people = new Map(state.people.map((p) => [p.id, p]));
    for (const p of changed) people.set(p.id, p);
    const groups = new Map(state.groups.map((g) => [g.id, g]));
    for (const g of changedGroups) groups.set(g.id, g);
    this.deps.log.debug({ people: changed.length, groups: changedGroups.length, since: cursor.value }, 'ldap incremental changes');
    return { people: [...people.values()], groups: [...groups.values()], skipped };
  }

  private async previous(cursorText: string | undefined): Promise<{ state: RawState; cursor: Cursor } | undefined> {
    if (!cursorText || !this.stateKey) return undefined;
    let cursor: Cursor;
    try {
      cursor = JSON.parse(cursorText) as Cursor;
    } catch {
      return undefined;
    }
    if (cursor.marker !== this.dialect.changeMarker) return undefined;
    const text = await this.deps.redis!.get(this.stateKey);
    return text ? { state: JSON.parse(text) as RawState, cursor } : undefined;
  }

  private async save(state: RawState): Promise<void> {
    if (!this.stateKey) return;
    await this.deps.redis!.set(this.stateKey, JSON.stringify({ people: state.people, groups: state.groups })).catch((err: Error) => {
      throw new SourceReadError(`ldap: cannot keep the directory for incremental reads in Redis: ${err.message}`, 'ldap', { cause: err });
    });
  }
}
