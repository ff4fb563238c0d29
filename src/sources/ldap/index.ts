import { ConfigError } from '../../errors/index.js';
import type { ReadRequest, Source, SourceDeps, SourcePlugin, SourceRead } from '../source.js';
import { buildSnapshot } from './build-snapshot.js';
import { LdapSession } from './connection.js';
import {
  changedSinceFilter,
  dcMismatch,
  earlier,
  formatCursor,
  parseCursor,
  readDcState,
  timestampCursor,
  usnCursor,
  type Cursor,
  type DcState,
  type ReadClock,
} from './cursor.js';
import { dnInScope, dnKey } from './dn.js';
import {
  configFingerprint,
  DirectoryKeeper,
  followRenames,
  keptDirectoryKey,
  type KeptDirectory,
} from './kept-directory.js';
import { dialectOf, type Dialect } from './presets.js';
import {
  readGroups,
  readInChain,
  readPeople,
  readPeopleByDn,
  type RawGroup,
  type RawPerson,
  type Skipped,
} from './read-directory.js';
import { ldapSourceSchema, type LdapSourceConfig } from './schema.js';
import { notInSchema, schemaAttributeTypes } from './subschema.js';

export { ldapSourceSchema, type LdapSourceConfig } from './schema.js';

interface RawDirectory {
  people: RawPerson[];
  groups: RawGroup[];
  skipped: Skipped[];
}

/** Above this many unknown member DNs in changed groups, one paged people read is cheaper than base lookups. */
const MAX_LOOKUPS = 200;

/**
 * LDAP / Active Directory. A full read pages through people and groups; an incremental read asks
 * only for entries changed since the high-water mark and applies them onto the last complete
 * directory kept in Redis, so it still returns the whole directory. Deletions show only in full
 * reads, which the schedule must include.
 */
export class LdapSource implements Source {
  readonly kind = 'ldap';
  readonly issueWords = { one: 'entry with problems', many: 'entries with problems' };
  private dialect: Dialect;
  private readonly keeper: DirectoryKeeper;

  constructor(
    private readonly config: LdapSourceConfig,
    private readonly deps: SourceDeps,
  ) {
    this.dialect = dialectOf(config);
    const key =
      deps.redis && deps.keyPrefix !== undefined ? `${deps.keyPrefix}${keptDirectoryKey(deps.profile)}` : undefined;
    this.keeper = new DirectoryKeeper(deps.redis, key, configFingerprint(config), deps.log);
  }

  async read(request: ReadRequest): Promise<SourceRead> {
    const started = performance.now();
    const startedMs = Date.now();
    const session = await LdapSession.open(
      this.config,
      this.deps.baseDir,
      this.deps.log,
      request.signal,
      this.deps.profile,
      this.deps.keyToFix,
    );
    try {
      await this.learnAttributeTypes(session);
      const dc = this.dialect.changeMarker === 'uSNChanged' ? await readDcState(session) : undefined;
      const start =
        request.mode === 'incremental' ? await this.incrementalStart(request.cursor, dc) : 'a full read was asked for';
      if (typeof start === 'string' && request.mode === 'incremental')
        this.deps.log.info({ reason: start }, 'ldap: incremental read falls back to a full read');
      const incremental = typeof start === 'string' ? undefined : start;
      const dir = incremental
        ? await this.applyChanges(session, incremental.kept, incremental.since)
        : await this.readAll(session);
      const seconds = (performance.now() - started) / 1000;
      const cursor = this.nextCursor(
        dir,
        dc,
        { startedMs, durationSeconds: seconds, maxSkewSeconds: this.config.maxClockSkewSeconds },
        incremental?.since,
      );
      if (cursor) await this.keeper.save({ cursor, ...dir });
      const { snapshot, ignoredMembers } = buildSnapshot(dir.people, dir.groups, dir.skipped);
      const mode = incremental ? 'incremental' : 'full';
      this.deps.log.info(
        {
          mode,
          people: snapshot.people.length,
          groups: snapshot.groups.length,
          issues: snapshot.issues.length,
          ignoredMembers,
          skippedEntries: dir.skipped.length,
          pages: session.pageCount,
          requests: session.requests,
          seconds: Math.round(seconds * 1000) / 1000,
        },
        'ldap read',
      );
      return { snapshot, mode, requests: session.requests, ...(cursor ? { nextCursor: formatCursor(cursor) } : {}) };
    } catch (err) {
      throw session.failure(err, 'search');
    } finally {
      await session.close();
    }
  }

  /**
   * Connectivity check for `validate`: bind, then the people and groups bases exist, then every
   * attribute `attributes` lists is in the server's schema (a ConfigError naming those that are not).
   */
  async check(): Promise<void> {
    const session = await LdapSession.open(
      this.config,
      this.deps.baseDir,
      this.deps.log,
      undefined,
      this.deps.profile,
      this.deps.keyToFix,
    );
    let missing: string[] = [];
    try {
      for (const base of [this.config.people.baseDn, this.config.groups.baseDn, ...this.config.people.memberOf]) {
        await session.search(base, { scope: 'base', filter: '(objectClass=*)', attributes: ['1.1'] });
      }
      if (this.config.attributes.length > 0)
        missing = notInSchema(this.config.attributes, await schemaAttributeTypes(session, this.config.url));
    } catch (err) {
      throw session.failure(err, 'check');
    } finally {
      await session.close();
    }
    if (missing.length > 0) {
      const key = `profiles.${this.deps.profile}.source.attributes`;
      throw new ConfigError(
        `${key}: ${missing.map((m) => `"${m}"`).join(', ')} ${missing.length === 1 ? 'is not an attribute' : 'are not attributes'} of the schema of ${this.config.url} (names and aliases, ignoring case); check the spelling`,
        key,
      );
    }
  }

  /**
   * With attributes listed, the server's attribute types, read once per source: the server answers
   * with an attribute's own name, so a listed alias or OID is looked for under it. A server that
   * will not show its schema leaves the names as listed (and is asked again next read).
   */
  private async learnAttributeTypes(session: LdapSession): Promise<void> {
    if (this.config.attributes.length === 0 || this.dialect.attributeTypes) return;
    try {
      this.dialect = { ...this.dialect, attributeTypes: await schemaAttributeTypes(session, this.config.url) };
    } catch (err) {
      this.deps.log.debug(
        { err: (err as Error).message },
        'ldap: no schema to find aliases of the listed attributes in: they are read by the names listed',
      );
    }
  }

  private async readAll(session: LdapSession): Promise<RawDirectory> {
    const { people, skipped } = await readPeople(session, this.config, this.dialect);
    const groups = await readGroups(session, this.config, this.dialect);
    if (this.inChain) await readInChain(session, this.config, this.dialect, groups);
    return { people, groups, skipped };
  }

  /** Where an incremental read can start: the kept directory and the earlier of the two cursors, or why it cannot. */
  private async incrementalStart(
    cursorText: string | undefined,
    dc: DcState | undefined,
  ): Promise<{ kept: KeptDirectory; since: Cursor } | string> {
    const committed = parseCursor(cursorText);
    if (!committed) return 'no usable cursor';
    if (committed.marker !== this.dialect.changeMarker)
      return `the cursor is a ${committed.marker}, this preset uses ${this.dialect.changeMarker}`;
    const kept = await this.keeper.load();
    if (typeof kept === 'string') return kept;
    if (kept.cursor.marker !== committed.marker) return 'the kept directory uses another change marker';
    const since = earlier(committed, kept.cursor);
    return dcMismatch(committed, dc) ?? dcMismatch(kept.cursor, dc) ?? { kept, since };
  }

  /**
   * Changed people and groups (by immutable id) onto the kept directory. Changed groups come with
   * their whole member list; membership changes are seen through the groups, never through memberOf,
   * which changes without moving the person's own change marker.
   */
  private async applyChanges(session: LdapSession, kept: KeptDirectory, since: Cursor): Promise<RawDirectory> {
    const changed = changedSinceFilter(since);
    const { people: changedPeople, skipped: newlySkipped } = await readPeople(
      session,
      this.config,
      this.dialect,
      changed,
    );
    const changedGroups = await readGroups(session, this.config, this.dialect, changed);
    const people = new Map(kept.people.map((p) => [p.id, p]));
    for (const p of changedPeople) people.set(p.id, p);
    const reread = new Set(changedGroups.map((g) => g.id));
    const keptGroups = followRenames(kept, [...changedPeople, ...changedGroups], reread);
    const groups = new Map(keptGroups.map((g) => [g.id, g]));
    for (const g of changedGroups) groups.set(g.id, g);
    const touched = new Set([...changedPeople, ...newlySkipped].map((e) => dnKey(e.dn)));
    const skipped = [...kept.skipped.filter((s) => !touched.has(dnKey(s.dn))), ...newlySkipped];
    const dir: RawDirectory = { people: [...people.values()], groups: [...groups.values()], skipped };
    if (this.inChain) await readInChain(session, this.config, this.dialect, dir.groups);
    const entered = await this.peopleWhoEnteredScope(session, dir, this.inChain ? dir.groups : changedGroups);
    for (const p of entered) people.set(p.id, p);
    dir.people = [...people.values()];
    this.deps.log.debug(
      { people: changedPeople.length, groups: changedGroups.length, entered: entered.length, since: since.value },
      'ldap incremental changes',
    );
    return dir;
  }

  /**
   * Members of changed groups that are neither known people nor groups may be people whose scope
   * changed without their own entry changing (a memberOf people filter): look them up.
   */
  private async peopleWhoEnteredScope(
    session: LdapSession,
    dir: RawDirectory,
    groups: RawGroup[],
  ): Promise<RawPerson[]> {
    const known = new Set([...dir.people, ...dir.groups].map((e) => dnKey(e.dn)));
    const { baseDn, scope } = this.config.people;
    const unknown = [...new Map(groups.flatMap((g) => g.memberDns).map((dn) => [dnKey(dn), dn])).entries()]
      .filter(([key, dn]) => !known.has(key) && dnInScope(dn, baseDn, scope))
      .map(([, dn]) => dn);
    if (unknown.length === 0) return [];
    if (unknown.length > MAX_LOOKUPS) {
      const wanted = new Set(unknown.map(dnKey));
      return (await readPeople(session, this.config, this.dialect)).people.filter((p) => wanted.has(dnKey(p.dn)));
    }
    return readPeopleByDn(session, this.config, this.dialect, unknown);
  }

  private nextCursor(
    dir: RawDirectory,
    dc: DcState | undefined,
    clock: ReadClock,
    since: Cursor | undefined,
  ): Cursor | undefined {
    const seen = [...dir.people.map((p) => p.marker), ...dir.groups.map((g) => g.marker)];
    if (this.dialect.changeMarker === 'uSNChanged') return usnCursor(dc ?? {}, seen, since?.value);
    return timestampCursor(seen, clock, since);
  }

  private get inChain(): boolean {
    return this.config.preset === 'active-directory' && this.config.nested === 'in-chain';
  }
}

/** The last complete directory (what an incremental read applies changes onto) is kept under the profile's prefix. */
export const ldapSourcePlugin: SourcePlugin<LdapSourceConfig> = {
  kind: 'ldap',
  configSchema: ldapSourceSchema,
  create: (config, deps) => new LdapSource(config, deps),
  stateKeys: (_config, profile) => [keptDirectoryKey(profile)],
};
