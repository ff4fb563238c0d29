import { SourceReadError } from '../../errors/index.js';
import { relativeUrl } from './batch.js';
import type { GraphHttp } from './graph-http.js';
import type { EntraSourceConfig } from './schema.js';
import {
  attributeSelect,
  pickUser,
  scopeKey,
  userSelect,
  type DirectoryObject,
  type GraphUser,
  type ScopedGroup,
  type State,
} from './state.js';

export interface GroupRef {
  id: string;
  displayName: string;
}
const quote = (s: string) => s.replace(/'/g, "''");

/** The reads a full read and a delta read share: the scope's group list, group lookups by id, transitive members. */
export class EntraReader {
  constructor(
    private readonly http: GraphHttp,
    private readonly c: EntraSourceConfig,
  ) {}

  /** The in-scope groups by listing /groups (prefix, filter or every group); not for an id list. */
  async listScope(): Promise<GroupRef[]> {
    const g = this.c.groups;
    const top = `$select=id,displayName&$top=${this.c.pageSize}`;
    if (g.displayNamePrefix !== undefined)
      return this.http.all(
        `/groups?$filter=${encodeURIComponent(`startswith(displayName,'${quote(g.displayNamePrefix)}')`)}&${top}`,
      );
    if (g.filter) return this.http.all(`/groups?$filter=${encodeURIComponent(g.filter)}&${top}`);
    return this.http.all(`/groups?${top}`);
  }

  /**
   * Groups by object id, batched. An id Graph does not know (404: deleted, or never there) or cannot
   * read as an id at all (400: e.g. a group name) is returned in `missing`: the source decides
   * whether that is a vanished group or a configuration mistake.
   */
  async lookup(ids: string[]): Promise<{ found: GroupRef[]; missing: string[] }> {
    const results = await this.http.batch<GroupRef>(
      ids.map((id) => `/groups/${encodeURIComponent(id)}?$select=id,displayName`),
      { accept: [400, 404] },
    );
    const found: GroupRef[] = [];
    const missing: string[] = [];
    results.forEach((r, i) => {
      if (r.status === 400 || r.status === 404 || !r.body) missing.push(ids[i]!);
      else found.push({ id: r.body.id, displayName: r.body.displayName });
    });
    return { found, missing };
  }

  /**
   * transitiveMembers of each group, 20 groups per $batch; a group bigger than a page continues
   * through its nextLink in a later batch, until every group's last page is in.
   */
  async readGroups(refs: GroupRef[], users: Record<string, GraphUser>): Promise<ScopedGroup[]> {
    const items = new Map<string, DirectoryObject[]>(refs.map((g) => [g.id, []]));
    let pending = refs.map((g) => ({
      id: g.id,
      url: `/groups/${encodeURIComponent(g.id)}/transitiveMembers?$select=${userSelect(this.c)}&$top=${this.c.pageSize}`,
    }));
    while (pending.length > 0) {
      const pages = await this.http.batch<{ value: DirectoryObject[]; '@odata.nextLink'?: string }>(
        pending.map((p) => p.url),
      );
      const next: typeof pending = [];
      pages.forEach((r, i) => {
        const { id } = pending[i]!;
        if (!r.body || !Array.isArray(r.body.value))
          throw new SourceReadError(`entra: a members page of group ${id} had no value`, 'entra', {
            code: 'SOURCE_INCOMPLETE',
          });
        items.get(id)!.push(...r.body.value);
        const link = r.body['@odata.nextLink'];
        if (link) next.push({ id, url: relativeUrl(link) });
      });
      pending = next;
    }
    return refs.map((g) => {
      const members: string[] = [];
      const nested: string[] = [];
      for (const item of items.get(g.id)!) {
        if (item['@odata.type'] === '#microsoft.graph.user') {
          members.push(item.id);
          users[item.id] = pickUser(item, this.c);
        } else if (item['@odata.type'] === '#microsoft.graph.group') nested.push(item.id);
      }
      return { id: g.id, displayName: g.displayName, members, nested };
    });
  }

  async full(): Promise<State> {
    const users: Record<string, GraphUser> = {};
    if (this.c.users === 'all')
      for (const u of await this.http.all<DirectoryObject>(
        `/users?$select=${userSelect(this.c)}&$top=${this.c.pageSize}`,
      ))
        users[u.id] = pickUser(u, this.c);
    const scope = this.c.groups.ids
      ? await this.lookup(this.c.groups.ids)
      : { found: await this.listScope(), missing: [] };
    const groups: Record<string, ScopedGroup> = {};
    for (const g of await this.readGroups(scope.found, users)) groups[g.id] = g;
    return { scope: scopeKey(this.c), users, groups, missing: scope.missing, select: attributeSelect(this.c) };
  }
}
