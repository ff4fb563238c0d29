import { SourceReadError } from '../../errors/index.js';
import type { GraphHttp } from './graph-http.js';
import type { EntraReader, GroupRef } from './reader.js';
import type { EntraSourceConfig } from './schema.js';
import {
  attributeSelect,
  mergeUser,
  pruneUsers,
  scopeKey,
  type Cursor,
  type DirectoryObject,
  type ScopedGroup,
  type State,
} from './state.js';

type DeltaPage = { value: DirectoryObject[]; '@odata.nextLink'?: string; '@odata.deltaLink'?: string };

/**
 * One delta round: every page to the deltaLink, or the read fails. `headers` go with each page
 * (users: `Prefer: return=minimal`, so an updated user carries only the properties that changed).
 */
async function follow(
  http: GraphHttp,
  link: string,
  headers?: Record<string, string>,
): Promise<{ items: DirectoryObject[]; deltaLink: string }> {
  const items: DirectoryObject[] = [];
  for (let next: string | undefined = link; ;) {
    const page: DeltaPage = await http.get(next, headers);
    items.push(...page.value);
    if (page['@odata.deltaLink']) return { items, deltaLink: page['@odata.deltaLink'] };
    next = page['@odata.nextLink'];
    if (!next)
      throw new SourceReadError('entra: a delta page had neither nextLink nor deltaLink', 'entra', {
        code: 'SOURCE_INCOMPLETE',
      });
  }
}

/**
 * Whether a state read with another scope can still take a delta: only an id list that changed
 * (the added ids are looked up, the dropped ones forgotten). Any other scope change needs a full read.
 */
export function deltaCompatible(previous: State, c: EntraSourceConfig): boolean {
  if (!sameAttributes(previous, c)) return false;
  if (previous.scope === scopeKey(c)) return true;
  const before = JSON.parse(previous.scope) as { ids: string[] | null; users: string };
  return before.ids !== null && c.groups.ids !== undefined && before.users === c.users;
}

/**
 * Whether the kept users were read with the properties the attributes need now: the users'
 * deltaLink keeps the `$select` it was taken with, and a kept user lacks a property never selected.
 */
export function sameAttributes(previous: State, c: EntraSourceConfig): boolean {
  const set = (select: string) => select.split(',').filter(Boolean).sort().join(',');
  return set(previous.select ?? '') === set(attributeSelect(c));
}

/**
 * Whether a group with this name is in scope, when that can be told without Graph: an id list by
 * id, a prefix by name (Graph's startswith ignores case), every group always. A raw filter cannot
 * be evaluated here (it may test properties a delta does not carry), so it is re-listed instead.
 */
function nameInScope(c: EntraSourceConfig, name: string | undefined): boolean | undefined {
  if (c.groups.ids || c.groups.filter) return undefined;
  if (c.groups.displayNamePrefix === undefined) return true;
  return name === undefined ? undefined : name.toLowerCase().startsWith(c.groups.displayNamePrefix.toLowerCase());
}

/**
 * Applies /users/delta and /groups/delta onto the kept directory so it ends where a full read would:
 * groups entering scope (new, renamed into a prefix, listed by a filter, added to the id list) are
 * read; groups leaving it (deleted, renamed out, no longer listed) are dropped; a membership change
 * in a group, or a group deleted below it, re-reads every in-scope group that contains it; people
 * then follow their groups (a new hire whose only group is new arrives with that group). With
 * nesting, the members read are direct: only the groups whose own members changed are read again
 * (and groups newly below an in-scope one), not the groups above them.
 */
export async function applyDelta(
  http: GraphHttp,
  reader: EntraReader,
  c: EntraSourceConfig,
  prev: State,
  cursor: Cursor,
): Promise<{ state: State; cursor: Cursor; reread: number }> {
  const userRound = await follow(http, cursor.users, { Prefer: 'return=minimal' });
  const groupRound = await follow(http, cursor.groups);
  const users = { ...prev.users };
  const groups: Record<string, ScopedGroup> = { ...prev.groups };
  const ids = c.groups.ids ? new Set(c.groups.ids) : undefined;
  const missing = new Set(prev.missing.filter((id) => !ids || ids.has(id)));

  const below: Record<string, ScopedGroup> = { ...prev.below };
  applyUserRound(userRound.items, users, [groups, below], c);
  // Nesting: every group read last time (in scope or below it) is kept unless the round says it
  // changed: deleted (and so gone from its parents, which Graph does not report), renamed, or its
  // direct members changed (members@delta names people and groups): only those are read again.
  const pool = c.groups.nesting ? keptGroups(groupRound.items, { ...below, ...groups }) : {};
  const { reread, entering } = applyGroupRound(groupRound.items, prev, groups, missing, ids, c);
  await rescope(reader, c, prev, groups, entering, missing, ids);

  if (c.groups.nesting) {
    const scope: GroupRef[] = [
      ...Object.values(groups).map((g) => ({ id: g.id, displayName: g.displayName })),
      ...[...entering].filter(([id]) => !groups[id]).map(([id, displayName]) => ({ id, displayName })),
    ];
    const tree = await reader.readTree(scope, users, pool);
    const state: State = {
      scope: scopeKey(c),
      users,
      groups: tree.groups,
      missing: (c.groups.ids ?? []).filter((id) => missing.has(id)),
      select: attributeSelect(c),
      nesting: true,
      below: tree.below,
    };
    pruneUsers(state, c);
    return { state, cursor: { users: userRound.deltaLink, groups: groupRound.deltaLink }, reread: tree.read };
  }

  const refs: GroupRef[] = [
    ...[...reread]
      .filter((id) => groups[id] && !entering.has(id))
      .map((id) => ({ id, displayName: groups[id]!.displayName })),
    ...[...entering].map(([id, displayName]) => ({ id, displayName })),
  ];
  for (const g of await reader.readGroups(refs, users)) groups[g.id] = g;
  const state: State = {
    scope: scopeKey(c),
    users,
    groups,
    missing: (c.groups.ids ?? []).filter((id) => missing.has(id)),
    select: attributeSelect(c),
  };
  pruneUsers(state, c);
  return { state, cursor: { users: userRound.deltaLink, groups: groupRound.deltaLink }, reread: refs.length };
}

/**
 * The groups a nesting read kept that a groups/delta round leaves as they were: those deleted
 * leave (and their parents' lists), those renamed take the new name, those whose members changed
 * leave (to be read again).
 */
function keptGroups(items: DirectoryObject[], pool: Record<string, ScopedGroup>): Record<string, ScopedGroup> {
  const out = { ...pool };
  const removed = new Set<string>();
  for (const g of items) {
    if (g['@removed']) {
      removed.add(g.id);
      delete out[g.id];
    } else if (g['members@delta']) delete out[g.id];
    else if (out[g.id] && typeof g.displayName === 'string') out[g.id] = { ...out[g.id]!, displayName: g.displayName };
  }
  if (removed.size > 0)
    for (const [id, g] of Object.entries(out))
      if (g.nested.some((n) => removed.has(n))) out[id] = { ...g, nested: g.nested.filter((n) => !removed.has(n)) };
  return out;
}

/** People changed, arrived (kept when already known, or when every user is read) or removed (and out of their groups). */
function applyUserRound(
  items: DirectoryObject[],
  users: State['users'],
  records: Record<string, ScopedGroup>[],
  c: EntraSourceConfig,
): void {
  const gone = new Set<string>();
  for (const u of items) {
    if (u['@removed']) {
      delete users[u.id];
      gone.add(u.id);
    } else if (users[u.id] || c.users === 'all') users[u.id] = mergeUser(users[u.id], u, c);
  }
  if (gone.size > 0)
    for (const groups of records)
      for (const g of Object.values(groups))
        if (g.members.some((m) => gone.has(m))) groups[g.id] = { ...g, members: g.members.filter((m) => !gone.has(m)) };
}

/**
 * Groups deleted, renamed, entering or leaving scope: returns the in-scope groups to read again
 * (their members, or a group below them, changed) and the groups entering scope (id -> name).
 */
function applyGroupRound(
  items: DirectoryObject[],
  prev: State,
  groups: Record<string, ScopedGroup>,
  missing: Set<string>,
  ids: Set<string> | undefined,
  c: EntraSourceConfig,
): { reread: Set<string>; entering: Map<string, string> } {
  const reread = new Set<string>();
  const entering = new Map<string, string>();
  // Which in-scope groups contain a group (itself included), indexed once: a day's delta can name
  // thousands of groups, and scanning every group's nested list for each would be quadratic.
  const parents = new Map<string, string[]>();
  for (const s of Object.values(prev.groups))
    for (const id of [s.id, ...s.nested]) parents.set(id, [...(parents.get(id) ?? []), s.id]);
  const containers = (id: string) => parents.get(id) ?? [];
  for (const g of items) {
    if (g['@removed'] || g['members@delta']) for (const s of containers(g.id)) reread.add(s);
    if (g['@removed']) {
      delete groups[g.id];
      entering.delete(g.id);
      if (ids?.has(g.id)) missing.add(g.id);
      continue;
    }
    const name = typeof g.displayName === 'string' ? g.displayName : undefined;
    if (groups[g.id] && name !== undefined) groups[g.id] = { ...groups[g.id]!, displayName: name };
    const inScope = ids ? ids.has(g.id) : (nameInScope(c, name) ?? Boolean(groups[g.id] ?? entering.has(g.id)));
    if (inScope && !groups[g.id] && name !== undefined) {
      entering.set(g.id, name);
      missing.delete(g.id);
    } else if (!inScope) {
      delete groups[g.id];
      entering.delete(g.id);
    }
  }
  return { reread, entering };
}

/** What a delta cannot say: a filter's scope (re-listed) and ids added to or dropped from the config's list. */
async function rescope(
  reader: EntraReader,
  c: EntraSourceConfig,
  prev: State,
  groups: Record<string, ScopedGroup>,
  entering: Map<string, string>,
  missing: Set<string>,
  ids: Set<string> | undefined,
): Promise<void> {
  // A filter is re-listed (one request per 999 groups): the list is the scope.
  if (c.groups.filter && !ids) {
    const listed = new Map((await reader.listScope()).map((g) => [g.id, g.displayName]));
    for (const id of Object.keys(groups)) if (!listed.has(id)) delete groups[id];
    for (const [id, name] of listed) {
      if (groups[id]) groups[id] = { ...groups[id]!, displayName: name };
      else entering.set(id, name);
    }
  }
  // An id list changed in config: drop the ids no longer listed, look up the new ones.
  if (ids) {
    for (const id of Object.keys(groups)) if (!ids.has(id)) delete groups[id];
    const known = new Set([...Object.keys(groups), ...entering.keys(), ...missing]);
    const added = [...ids].filter((id) => !known.has(id) && !(prev.groups[id] || prev.missing.includes(id)));
    if (added.length > 0) {
      const found = await reader.lookup(added);
      for (const g of found.found) entering.set(g.id, g.displayName);
      for (const id of found.missing) missing.add(id);
    }
  }
}
