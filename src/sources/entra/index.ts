import { SourceReadError } from '../../errors/index.js';
import type { Person, Snapshot, SourceIssue } from '../../model/index.js';
import type { SourceDeps } from '../registry.js';
import type { ReadRequest, Source, SourceRead } from '../source.js';
import { DeltaExpiredError, GraphHttp } from './graph-http.js';
import type { EntraSourceConfig } from './schema.js';

export { entraSourceSchema, type EntraSourceConfig } from './schema.js';

interface GraphUser { id: string; displayName?: string | null; mail?: string | null; userPrincipalName?: string | null; givenName?: string | null; surname?: string | null; accountEnabled?: boolean | null }
interface ScopedGroup { id: string; displayName: string; members: string[]; nested: string[] }
interface State { users: Record<string, GraphUser>; groups: Record<string, ScopedGroup> }
interface Cursor { users: string; groups: string }
type DirectoryObject = GraphUser & { '@odata.type'?: string; '@removed'?: unknown; 'members@delta'?: DirectoryObject[] };

const USER_FIELDS = 'id,displayName,mail,userPrincipalName,givenName,surname,accountEnabled';
const quote = (s: string) => s.replace(/'/g, "''");

/**
 * Microsoft Entra ID through Graph. A full read takes the in-scope groups' transitiveMembers; a
 * delta read follows /users/delta and /groups/delta from the committed deltaLinks and re-reads only
 * the groups whose membership changed, onto the last directory kept in Redis.
 */
export class EntraSource implements Source {
  readonly kind = 'entra';

  constructor(private readonly config: EntraSourceConfig, private readonly deps: SourceDeps) {}

  private get stateKey(): string | undefined {
    return this.deps.redis && this.deps.keyPrefix !== undefined ? `${this.deps.keyPrefix}entra:state` : undefined;
  }

  async read(request: ReadRequest): Promise<SourceRead> {
    const http = new GraphHttp(this.config, this.deps.log);
    const previous = request.mode === 'incremental' ? await this.previous(request.cursor) : undefined;
    if (previous) {
      try {
        const out = await this.delta(http, previous.state, previous.cursor);
        return await this.finish(http, out.state, out.cursor, 'incremental');
      } catch (err) {
        if (!(err instanceof DeltaExpiredError)) throw err;
        this.deps.log.warn({ profile: this.deps.profile }, 'entra delta token expired or rejected: reading in full');
      }
    }
    // The delta links are taken before the full read, so no change between the two is missed.
    const cursor: Cursor = {
      users: await this.latest(http, `/users/delta?$select=${USER_FIELDS}&$deltaToken=latest`),
      groups: await this.latest(http, '/groups/delta?$select=displayName,members&$deltaToken=latest'),
    };
    return this.finish(http, await this.full(http), cursor, 'full');
  }

  async check(): Promise<void> {
    await new GraphHttp({ ...this.config, maxRetries: 0 }, this.deps.log).get(`/groups?$select=id&$top=1`);
  }

  private async finish(http: GraphHttp, state: State, cursor: Cursor, mode: 'full' | 'incremental'): Promise<SourceRead> {
    await this.save(state);
    const snapshot = this.snapshot(state);
    this.deps.log.info({ people: snapshot.people.length, groups: snapshot.groups.length, requests: http.requests, mode }, 'entra read');
    return { snapshot, mode, requests: http.requests, nextCursor: JSON.stringify(cursor) };
  }

  private async latest(http: GraphHttp, path: string): Promise<string> {
    const page: { '@odata.deltaLink'?: string } = await http.get(path);
    if (!page['@odata.deltaLink']) throw new SourceReadError(`entra: ${path.split('?')[0]} gave no deltaLink`, 'entra', { code: 'SOURCE_INCOMPLETE' });
    return page['@odata.deltaLink'];
  }

  private async scopeGroups(http: GraphHttp): Promise<{ id: string; displayName: string }[]> {
    const g = this.config.groups;
    const top = `$select=id,displayName&$top=${this.config.pageSize}`;
    if (g.ids) return Promise.all(g.ids.map((id) => http.get<{ id: string; displayName: string }>(`/groups/${encodeURIComponent(id)}?$select=id,displayName`)));
    if (g.displayNamePrefix !== undefined) return http.all(`/groups?$filter=${encodeURIComponent(`startswith(displayName,'${quote(g.displayNamePrefix)}')`)}&${top}`);
    if (g.filter) return http.all(`/groups?$filter=${encodeURIComponent(g.filter)}&${top}`);
    return http.all(`/groups?${top}`);
  }

  private async readGroup(http: GraphHttp, g: { id: string; displayName: string }, users: Record<string, GraphUser>): Promise<ScopedGroup> {
    const items = await http.all<DirectoryObject>(`/groups/${encodeURIComponent(g.id)}/transitiveMembers?$select=${USER_FIELDS}&$top=${this.config.pageSize}`);
    const members: string[] = [];
    const nested: string[] = [];
    for (const item of items) {
      if (item['@odata.type'] === '#microsoft.graph.user') {
        members.push(item.id);
        users[item.id] = pickUser(item);
      } else if (item['@odata.type'] === '#microsoft.graph.group') nested.push(item.id);
    }
    return { id: g.id, displayName: g.displayName, members, nested };
  }

  private async full(http: GraphHttp): Promise<State> {
    const users: Record<string, GraphUser> = {};
    if (this.config.users === 'all') for (const u of await http.all<GraphUser>(`/users?$select=${USER_FIELDS}&$top=${this.config.pageSize}`)) users[u.id] = pickUser(u);
    const groups: Record<string, ScopedGroup> = {};
    for (const g of await this.scopeGroups(http)) groups[g.id] = await this.readGroup(http, g, users);
    return { users, groups };
  }

  private async delta(http: GraphHttp, state: State, cursor: Cursor): Promise<{ state: State; cursor: Cursor }> {
    const follow = async (link: string) => {
      const items: DirectoryObject[] = [];
      for (let next: string | undefined = link; ; ) {
        const page: { value: DirectoryObject[]; '@odata.nextLink'?: string; '@odata.deltaLink'?: string } = await http.get(next);
        items.push(...page.value);
        if (page['@odata.deltaLink']) return { items, deltaLink: page['@odata.deltaLink'] };
        next = page['@odata.nextLink'];
        if (!next) throw new SourceReadError('entra: a delta page had neither nextLink nor deltaLink', 'entra', { code: 'SOURCE_INCOMPLETE' });
      }
    };
    const userRound = await follow(cursor.users);
    const groupRound = await follow(cursor.groups);
    const users = { ...state.users };
    const groups = { ...state.groups };
    for (const u of userRound.items) {
      if (u['@removed']) {
        delete users[u.id];
        for (const g of Object.values(groups)) g.members = g.members.filter((m) => m !== u.id);
      } else if (users[u.id] || this.config.users === 'all') users[u.id] = { ...users[u.id], ...pickUser(u) };
    }
    const reread = new Set<string>();
    for (const g of groupRound.items) {
      if (g['@removed']) {
        delete groups[g.id];
        continue;
      }
      if (groups[g.id] && g.displayName) groups[g.id]!.displayName = g.displayName;
      if (!g['members@delta']) continue;
      // A direct-membership change in group X changes the transitive members of X and of every
      // in-scope group that contains X.
      for (const scoped of Object.values(groups)) if (scoped.id === g.id || scoped.nested.includes(g.id)) reread.add(scoped.id);
    }
    for (const id of reread) groups[id] = await this.readGroup(http, groups[id]!, users);
    this.deps.log.debug({ users: userRound.items.length, groups: groupRound.items.length, reread: reread.size }, 'entra delta applied');
    return { state: { users, groups }, cursor: { users: userRound.deltaLink, groups: groupRound.deltaLink } };
  }

  private snapshot(state: State): Snapshot {
    const issues: SourceIssue[] = [];
    const groupIds = new Map<string, string[]>();
    for (const g of Object.values(state.groups)) for (const m of g.members) groupIds.set(m, [...(groupIds.get(m) ?? []), g.id]);
    const people: Person[] = [];
    for (const u of Object.values(state.users)) {
      const ids = groupIds.get(u.id) ?? [];
      if (this.config.users === 'groupMembers' && ids.length === 0) continue;
      const email = this.config.email.map((k) => u[k]).find((v): v is string => typeof v === 'string' && v.trim() !== '');
      if (!email) {
        issues.push({ where: `user ${u.id}`, reason: 'no mail or userPrincipalName: skipped' });
        continue;
      }
      people.push({
        sourceId: u.id, email: email.trim(), displayName: u.displayName ?? email, enabled: u.accountEnabled !== false, groupIds: ids,
        ...(u.givenName ? { givenName: u.givenName } : {}), ...(u.surname ? { familyName: u.surname } : {}),
      });
    }
    return { people, groups: Object.values(state.groups).map((g) => ({ sourceId: g.id, name: g.displayName, parentIds: [] })), issues };
  }

  private async previous(cursorText: string | undefined): Promise<{ state: State; cursor: Cursor } | undefined> {
    if (!cursorText || !this.stateKey) return undefined;
    const text = await this.deps.redis!.get(this.stateKey);
    if (!text) return undefined;
    try {
      return { state: JSON.parse(text) as State, cursor: JSON.parse(cursorText) as Cursor };
    } catch {
      return undefined;
    }
  }

  private async save(state: State): Promise<void> {
    if (this.stateKey) await this.deps.redis!.set(this.stateKey, JSON.stringify(state));
  }
}

function pickUser(u: GraphUser): GraphUser {
  return { id: u.id, displayName: u.displayName ?? null, mail: u.mail ?? null, userPrincipalName: u.userPrincipalName ?? null, givenName: u.givenName ?? null, surname: u.surname ?? null, accountEnabled: u.accountEnabled ?? null };
}
