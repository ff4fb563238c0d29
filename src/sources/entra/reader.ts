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
/** Values Graph's `in` takes in one $filter (known issues: "limited to 15 expressions"). */
export const IN_LIMIT = 15;
/** What can be an object id inside a $filter; anything else (a group name) is looked up alone. */
const ID_SHAPE = /^[\w-]+$/;

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
   * Groups by object id: `/groups?$filter=id in (...)`, 15 ids a request (Graph's limit for `in`),
   * batched, so 300 ids cost 20 requests, not 300. An id Graph does not return (deleted, or never
   * there) is in `missing`: the source decides whether that is a vanished group or a configuration
   * mistake. A request Graph refuses (400: an id that is no object id, e.g. a group name) is asked
   * again one id at a time, so the refused one is named and the others still found.
   */
  async lookup(ids: string[]): Promise<{ found: GroupRef[]; missing: string[] }> {
    const shaped = ids.filter((id) => ID_SHAPE.test(id));
    const chunks: string[][] = [];
    for (let i = 0; i < shaped.length; i += IN_LIMIT) chunks.push(shaped.slice(i, i + IN_LIMIT));
    // The config loads GUIDs in Graph's spelling (schema.ts objectId), so Graph's ids match exactly.
    const byId = new Map<string, GroupRef>();
    const found1 = (g: GroupRef) => byId.set(g.id, { id: g.id, displayName: g.displayName });
    const single = ids.filter((id) => !ID_SHAPE.test(id));
    const pages = await this.pagedBatch(
      chunks.map((chunk, i) => ({
        key: String(i),
        url: `/groups?$filter=${encodeURIComponent(`id in (${chunk.map((id) => `'${quote(id)}'`).join(',')})`)}&$select=id,displayName`,
      })),
      [400],
    );
    chunks.forEach((chunk, i) => {
      const items = pages.get(String(i));
      if (items === undefined) single.push(...chunk);
      else for (const g of items as GroupRef[]) found1(g);
    });
    if (single.length > 0) {
      const results = await this.http.batch<GroupRef>(
        single.map((id) => `/groups/${encodeURIComponent(id)}?$select=id,displayName`),
        { accept: [400, 404] },
      );
      results.forEach((r) => {
        if (r.body && r.status < 300) found1(r.body);
      });
    }
    const found: GroupRef[] = [];
    const missing: string[] = [];
    for (const id of ids) {
      const g = byId.get(id);
      if (g) found.push(g);
      else missing.push(id);
    }
    return { found, missing };
  }

  /**
   * Every page of each request, as JSON batches: a request whose answer has a nextLink continues in
   * a later batch, until every request's last page is in. `accept`: statuses that end a request
   * with no items (its key then absent from the answer) instead of failing the read.
   */
  private async pagedBatch(
    requests: { key: string; url: string }[],
    accept: number[] = [],
  ): Promise<Map<string, DirectoryObject[]>> {
    const items = new Map<string, DirectoryObject[]>(requests.map((r) => [r.key, []]));
    let pending = requests;
    while (pending.length > 0) {
      const pages = await this.http.batch<{ value: DirectoryObject[]; '@odata.nextLink'?: string }>(
        pending.map((p) => p.url),
        accept.length > 0 ? { accept } : {},
      );
      const next: typeof pending = [];
      pages.forEach((r, i) => {
        const { key, url } = pending[i]!;
        if (accept.includes(r.status)) {
          items.delete(key);
          return;
        }
        if (!r.body || !Array.isArray(r.body.value))
          throw new SourceReadError(`entra: a page of ${url.split('?')[0]} had no value`, 'entra', {
            code: 'SOURCE_INCOMPLETE',
          });
        items.get(key)!.push(...r.body.value);
        const link = r.body['@odata.nextLink'];
        if (link) next.push({ key, url: relativeUrl(link) });
      });
      pending = next;
    }
    return items;
  }

  /**
   * Direct members of each group, people and groups apart (the user and group cast segments, each
   * `$select`ed and paged): two requests a group, batched.
   */
  async readDirect(
    refs: GroupRef[],
    users: Record<string, GraphUser>,
  ): Promise<{ group: ScopedGroup; children: GroupRef[] }[]> {
    const base = (id: string) => `/groups/${encodeURIComponent(id)}/members/microsoft.graph`;
    const pages = await this.pagedBatch(
      refs.flatMap((g) => [
        { key: `u ${g.id}`, url: `${base(g.id)}.user?$select=${userSelect(this.c)}&$top=${this.c.pageSize}` },
        { key: `g ${g.id}`, url: `${base(g.id)}.group?$select=id,displayName&$top=${this.c.pageSize}` },
      ]),
      [404],
    );
    return refs.map((g) => {
      const people = pages.get(`u ${g.id}`);
      const groups = pages.get(`g ${g.id}`);
      if (people === undefined || groups === undefined)
        throw new SourceReadError(
          `entra: group ${g.displayName} (${g.id}) was deleted while its members were read (404): the next read takes the directory as it is then`,
          'entra',
          { code: 'SOURCE_INCOMPLETE' },
        );
      for (const u of people) users[u.id] = pickUser(u, this.c);
      return {
        group: {
          id: g.id,
          displayName: g.displayName,
          members: people.map((u) => u.id),
          nested: groups.map((c) => c.id),
        },
        children: groups.map((c) => ({
          id: c.id,
          displayName: typeof c.displayName === 'string' ? c.displayName : c.id,
        })),
      };
    });
  }

  /**
   * A nesting read: the direct members of the in-scope groups and of every group below them outside
   * the scope (their members pass up), level by level, each group once however often it is met (a
   * cycle is not walked round). A group in `kept` (a delta's unchanged groups) is not read again.
   */
  async readTree(
    scope: GroupRef[],
    users: Record<string, GraphUser>,
    kept: Record<string, ScopedGroup> = {},
  ): Promise<{ groups: Record<string, ScopedGroup>; below: Record<string, ScopedGroup>; read: number }> {
    const inScope = new Set(scope.map((g) => g.id));
    const have = new Map<string, ScopedGroup>();
    let todo: GroupRef[] = [];
    for (const g of scope) {
      const k = kept[g.id];
      if (k) have.set(g.id, { ...k, displayName: g.displayName });
      else todo.push(g);
    }
    const met = new Set(scope.map((g) => g.id));
    let read = 0;
    let from = [...have.values()];
    for (;;) {
      const fresh = await this.readDirect(todo, users);
      read += todo.length;
      const names = new Map<string, string>();
      for (const { group, children } of fresh) {
        have.set(group.id, group);
        for (const c of children) names.set(c.id, c.displayName);
      }
      const level = [...from, ...fresh.map((f) => f.group)];
      from = [];
      todo = [];
      for (const g of level)
        for (const c of g.nested) {
          if (met.has(c)) continue;
          met.add(c);
          const k = kept[c];
          if (k) {
            have.set(c, k);
            from.push(k);
          } else todo.push({ id: c, displayName: names.get(c) ?? c });
        }
      if (todo.length === 0 && from.length === 0) break;
    }
    const groups: Record<string, ScopedGroup> = {};
    const below: Record<string, ScopedGroup> = {};
    for (const [id, g] of have) (inScope.has(id) ? groups : below)[id] = g;
    return { groups, below, read };
  }

  /**
   * transitiveMembers of each group, 20 groups per $batch; a group bigger than a page continues
   * through its nextLink in a later batch, until every group's last page is in.
   */
  async readGroups(refs: GroupRef[], users: Record<string, GraphUser>): Promise<ScopedGroup[]> {
    const items = await this.pagedBatch(
      refs.map((g) => ({
        key: g.id,
        url: `/groups/${encodeURIComponent(g.id)}/transitiveMembers?$select=${userSelect(this.c)}&$top=${this.c.pageSize}`,
      })),
    );
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
    const base = { scope: scopeKey(this.c), users, missing: scope.missing, select: attributeSelect(this.c) };
    if (this.c.groups.nesting) {
      const tree = await this.readTree(scope.found, users);
      return { ...base, groups: tree.groups, nesting: true, below: tree.below };
    }
    const groups: Record<string, ScopedGroup> = {};
    for (const g of await this.readGroups(scope.found, users)) groups[g.id] = g;
    return { ...base, groups };
  }
}
