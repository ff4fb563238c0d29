import { ConfigError, SourceReadError } from '../../errors/index.js';
import type { ReadRequest, Source, SourceDeps, SourcePlugin, SourceRead } from '../source.js';
import { selectedProperties } from './attributes.js';
import { applyDelta, deltaCompatible, sameAttributes } from './delta.js';
import { DeltaExpiredError, GraphHttp } from './graph-http.js';
import { EntraReader } from './reader.js';
import { entraSourceSchema, objectId, type EntraSourceConfig } from './schema.js';
import { checkEntraScope, type ScopeProblem } from './scope-check.js';
import { buildSnapshot, STATE_KEY, userSelect, type Cursor, type State } from './state.js';

export { entraSourceSchema, type EntraSourceConfig } from './schema.js';
export { checkEntraScope, type ScopeProblem } from './scope-check.js';

/**
 * Microsoft Entra ID through Graph. A full read takes the in-scope groups' transitiveMembers in
 * JSON batches, or, when the mapping needs the nesting (groups.nesting), each group's direct
 * members, people and groups apart; a delta read follows /users/delta and /groups/delta from the
 * committed deltaLinks onto the last directory kept in Redis, reading only the groups that entered
 * scope or changed.
 */
export class EntraSource implements Source {
  readonly kind = 'entra';
  readonly issueWords = { one: 'entry with problems', many: 'entries with problems' };

  /** The config with `groups.nesting` decided: as set, else whether the mapping needs the nesting (SourceDeps.nesting). */
  private readonly config: EntraSourceConfig;

  constructor(
    config: EntraSourceConfig,
    private readonly deps: SourceDeps,
  ) {
    // Parsed configs always have `groups`; one assembled by hand (a plan's header test) may not.
    const groups = config.groups as EntraSourceConfig['groups'] | undefined;
    this.config = groups
      ? { ...config, groups: { ...groups, nesting: groups.nesting ?? deps.nesting ?? false } }
      : config;
  }

  private readonly keyToFix = (key: string): string =>
    this.deps.keyToFix?.(key) ?? `profiles.${this.deps.profile}.source.${key}`;

  private get stateKey(): string | undefined {
    return this.deps.redis && this.deps.keyPrefix !== undefined ? `${this.deps.keyPrefix}${STATE_KEY}` : undefined;
  }

  async read(request: ReadRequest): Promise<SourceRead> {
    // A scope mistake is a config error at every read (plan, backfill, each tick), not only in validate:
    // two scope kinds at once here, an entry that resolves to nothing after the lookup.
    this.assertScopeShape();
    const http = new GraphHttp(this.config, this.deps.log, this.keyToFix);
    const reader = new EntraReader(http, this.config);
    const stored = await this.stored();
    const previous = request.mode === 'incremental' ? this.previous(stored, request.cursor) : undefined;
    if (previous && !sameAttributes(previous.state, this.config)) {
      this.deps.log.warn('entra source.attributes changed since the last read: reading in full');
    } else if (previous && Boolean(previous.state.nesting) !== this.config.groups.nesting) {
      this.deps.log.warn(
        `entra: the group nesting is ${this.config.groups.nesting ? 'now' : 'no longer'} read (groups.nesting, or the target's units): reading in full`,
      );
    } else if (previous && !deltaCompatible(previous.state, this.config)) {
      this.deps.log.warn('entra group scope changed since the last read: reading in full');
    } else if (previous) {
      try {
        const out = await applyDelta(http, reader, this.config, previous.state, previous.cursor);
        this.deps.log.debug({ reread: out.reread }, 'entra delta applied');
        this.assertIdsResolved(out.state, stored);
        return await this.finish(http, out.state, out.cursor, 'incremental');
      } catch (err) {
        if (!(err instanceof DeltaExpiredError)) throw err;
        this.deps.log.warn('entra delta token expired or rejected: reading in full');
      }
    }
    // The delta links are taken before the full read, so no change between the two is missed.
    const cursor: Cursor = {
      users: await this.latest(http, `/users/delta?$select=${userSelect(this.config)}&$deltaToken=latest`),
      groups: await this.latest(http, '/groups/delta?$select=displayName,members&$deltaToken=latest'),
    };
    const state = await reader.full();
    this.assertIdsResolved(state, stored);
    return this.finish(http, state, cursor, 'full');
  }

  /** Scope kinds set at once: a mistake whatever Graph says. */
  private assertScopeShape(): void {
    const problems = checkEntraScope(this.config).filter((p) => p.keyPath === 'groups');
    if (problems.length > 0) throw this.scopeError(problems);
  }

  private scopeError(problems: ScopeProblem[]): ConfigError {
    return new ConfigError(
      problems.map((p) => `profiles.${this.deps.profile}.source.${p.keyPath}: ${p.message}`).join('\n'),
      `source.${problems[0]!.keyPath}`,
    );
  }

  /**
   * A configured id Graph does not know is a config mistake (a typo, another tenant's group) unless
   * an earlier read found the group: then it was deleted, and it is the vanished-group case (its
   * team is emptied or pruned, and said so in the plan). Never read, it stops the run before
   * planning, so a typo never empties a team.
   */
  private assertIdsResolved(state: State, before: State | undefined): void {
    const seen = new Set([...Object.keys(before?.groups ?? {}), ...(before?.missing ?? [])]);
    const unknown = state.missing.filter((id) => !seen.has(id));
    if (unknown.length > 0) throw this.unknownIds(unknown);
  }

  /**
   * The message `validate` gives for ids that resolve to nothing: an entry shaped like a name says
   * so (and how to pick groups by name); a GUID the tenant lacks is named with its key.
   */
  private unknownIds(missing: string[]): ConfigError {
    const ids = this.config.groups.ids ?? [];
    const named = checkEntraScope({ groups: { ids } }).filter((p) => missing.includes(ids[keyIndex(p.keyPath)]!));
    if (named.length > 0) return this.scopeError(named);
    const keys = missing.map((id) => `groups.ids[${ids.indexOf(id)}] (${id})`);
    return new ConfigError(
      `profiles.${this.deps.profile}.source: no group with these ids in the tenant: ${keys.join(', ')}`,
      `source.groups.ids`,
    );
  }

  /**
   * For `validate`: the scope's shape first (a group name where an object id belongs), then one
   * request that proves the credentials, the certificate chain and the permissions.
   */
  async check(): Promise<void> {
    // validate flags every name-shaped entry without a request; a read flags those Graph cannot resolve.
    const problems = checkEntraScope(this.config);
    if (problems.length > 0) throw this.scopeError(problems);
    const http = new GraphHttp({ ...this.config, maxRetries: 0 }, this.deps.log, this.keyToFix);
    if (this.config.groups.ids) {
      const { missing } = await new EntraReader(http, this.config).lookup(this.config.groups.ids);
      if (missing.length > 0) throw this.unknownIds(missing);
    } else await http.get(`/groups?$select=id&$top=1`);
    await this.checkAttributes(http);
  }

  /**
   * One user read with the attributes' `$select`; if Graph refuses it, each property alone (in one
   * $batch) so the message names every one Graph does not know, not only the first. Graph cannot
   * tell a property that exists but is empty for this user from the answer: only a refusal counts.
   */
  private async checkAttributes(http: GraphHttp): Promise<void> {
    const properties = selectedProperties(this.config.attributes);
    if (properties.length === 0) return;
    let first: ConfigError;
    try {
      await http.get(`/users?$select=${userSelect(this.config)}&$top=1`);
      return;
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      first = err;
    }
    const one = await http.batch<unknown>(
      properties.map((p) => `/users?$select=id,${p}&$top=1`),
      { accept: [400, 501] },
    );
    const refused = properties.filter((_, i) => one[i]!.status === 400);
    const singleOnly = properties.filter((_, i) => one[i]!.status === 501);
    const listed = (p: string) =>
      this.config.attributes.filter((a) => a.split('.')[0]!.toLowerCase() === p.toLowerCase()).join(', ');
    const lines = [
      ...refused.map((p) => `'${p}' (listed as ${listed(p)}): Graph has no such user property`),
      ...singleOnly.map(
        (p) => `'${p}' (listed as ${listed(p)}): Graph returns it only for a single user, not in a list`,
      ),
    ];
    if (lines.length === 0) throw first;
    // One line: validate prints each source's result on one.
    throw new ConfigError(
      `${this.keyToFix('attributes')}: Graph refuses ${lines.join('; ')}. ` +
        `Check the spelling (Graph's names, e.g. jobTitle, employeeOrgData.costCenter), and for a directory extension the app id in extension_<appId>_<name>`,
      'source.attributes',
    );
  }

  private async finish(
    http: GraphHttp,
    state: State,
    cursor: Cursor,
    mode: 'full' | 'incremental',
  ): Promise<SourceRead> {
    await this.save(state);
    const objects = new Set<string>();
    const snapshot = buildSnapshot(state, this.config, (a) => objects.add(a));
    for (const a of objects)
      this.deps.log.warn(
        { attribute: a },
        `entra attribute ${a} is an object, not a value: list its fields by path (e.g. employeeOrgData.costCenter)`,
      );
    this.deps.log.info(
      {
        people: snapshot.people.length,
        groups: snapshot.groups.length,
        requests: http.requests,
        graphCalls: http.calls,
        mode,
        nesting: this.config.groups.nesting,
      },
      'entra read',
    );
    return { snapshot, mode, requests: http.requests, nextCursor: JSON.stringify(cursor) };
  }

  private async latest(http: GraphHttp, path: string): Promise<string> {
    const page: { '@odata.deltaLink'?: string } = await http.get(path);
    if (!page['@odata.deltaLink'])
      throw new SourceReadError(`entra: ${path.split('?')[0]} gave no deltaLink`, 'entra', {
        code: 'SOURCE_INCOMPLETE',
      });
    return page['@odata.deltaLink'];
  }

  /** The state the last read kept (groups found, ids missing), if any and readable. */
  private async stored(): Promise<State | undefined> {
    if (!this.stateKey) return undefined;
    const text = await this.deps.redis!.get(this.stateKey);
    if (!text) return undefined;
    try {
      const state = JSON.parse(text) as State;
      // A state kept by an older version lacks the scope it was read with: read in full once.
      if (typeof state.scope !== 'string' || !Array.isArray(state.missing)) return undefined;
      // One kept before ids loaded in Graph's spelling may list a vanished id in capitals.
      return { ...state, missing: state.missing.map(objectId) };
    } catch {
      return undefined;
    }
  }

  private previous(
    state: State | undefined,
    cursorText: string | undefined,
  ): { state: State; cursor: Cursor } | undefined {
    if (!cursorText || !state) return undefined;
    try {
      return { state, cursor: JSON.parse(cursorText) as Cursor };
    } catch {
      return undefined;
    }
  }

  private async save(state: State): Promise<void> {
    if (this.stateKey) await this.deps.redis!.set(this.stateKey, JSON.stringify(state));
  }
}

/** The directory as last read (the base a delta applies onto) is kept under the profile's prefix. */
export const entraSourcePlugin: SourcePlugin<EntraSourceConfig> = {
  kind: 'entra',
  configSchema: entraSourceSchema,
  create: (config, deps) => new EntraSource(config, deps),
  stateKeys: () => [STATE_KEY],
};

/** `groups.ids[3]` -> 3 */
function keyIndex(keyPath: string): number {
  return Number(/\[(\d+)\]$/.exec(keyPath)?.[1] ?? -1);
}
