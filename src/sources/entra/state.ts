import type { Person, Snapshot, SourceIssue } from '../../model/index.js';
import type { EntraSourceConfig } from './schema.js';

/** The key (a suffix of the profile's key prefix) the State below is kept under between reads. */
export const STATE_KEY = 'entra:state';

export interface GraphUser {
  id: string;
  displayName?: string | null;
  mail?: string | null;
  userPrincipalName?: string | null;
  givenName?: string | null;
  surname?: string | null;
  accountEnabled?: boolean | null;
}
/** An in-scope group: its transitive user members and every group below it (for delta re-reads). */
export interface ScopedGroup {
  id: string;
  displayName: string;
  members: string[];
  nested: string[];
}
export type DirectoryObject = GraphUser & {
  '@odata.type'?: string;
  '@removed'?: unknown;
  'members@delta'?: DirectoryObject[];
};

/**
 * The directory as last read, kept in Redis so a delta read can be applied onto it. `scope` is the
 * scope config it was read with: a delta onto a state read with another scope would be wrong.
 * `missing` lists configured group ids Graph did not know (a deleted group), in config order.
 */
export interface State {
  scope: string;
  users: Record<string, GraphUser>;
  groups: Record<string, ScopedGroup>;
  missing: string[];
}
export interface Cursor {
  users: string;
  groups: string;
}

export const USER_FIELDS = 'id,displayName,mail,userPrincipalName,givenName,surname,accountEnabled';

export function pickUser(u: GraphUser): GraphUser {
  return {
    id: u.id,
    displayName: u.displayName ?? null,
    mail: u.mail ?? null,
    userPrincipalName: u.userPrincipalName ?? null,
    givenName: u.givenName ?? null,
    surname: u.surname ?? null,
    accountEnabled: u.accountEnabled ?? null,
  };
}

/** The scope settings a state depends on, as a stable string. */
export function scopeKey(c: EntraSourceConfig): string {
  return JSON.stringify({
    ids: c.groups.ids ?? null,
    prefix: c.groups.displayNamePrefix ?? null,
    filter: c.groups.filter ?? null,
    users: c.users,
  });
}

/**
 * In groupMembers mode only people in some in-scope group are kept, so a state after a delta holds
 * exactly what a full read would have fetched.
 */
export function pruneUsers(state: State, c: EntraSourceConfig): void {
  if (c.users === 'all') return;
  const inGroups = new Set<string>();
  for (const g of Object.values(state.groups)) for (const m of g.members) inGroups.add(m);
  for (const id of Object.keys(state.users)) if (!inGroups.has(id)) delete state.users[id];
}

/** The snapshot, in a stable order (people and groups by id, groupIds sorted), so equal directories give equal snapshots. */
export function buildSnapshot(state: State, c: EntraSourceConfig): Snapshot {
  const issues: SourceIssue[] = [];
  const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  const groups = Object.values(state.groups).sort(byId);
  const groupIds = new Map<string, string[]>();
  for (const g of groups) for (const m of g.members) groupIds.set(m, [...(groupIds.get(m) ?? []), g.id]);
  const people: Person[] = [];
  for (const u of Object.values(state.users).sort(byId)) {
    const ids = groupIds.get(u.id) ?? [];
    if (c.users === 'groupMembers' && ids.length === 0) continue;
    const email = c.email.map((k) => u[k]).find((v): v is string => typeof v === 'string' && v.trim() !== '');
    if (!email) {
      issues.push({ where: `user ${u.id}`, reason: 'no mail or userPrincipalName: skipped' });
      continue;
    }
    people.push({
      sourceId: u.id,
      email: email.trim(),
      displayName: u.displayName ?? email,
      enabled: u.accountEnabled !== false,
      groupIds: ids,
      ...(u.givenName ? { givenName: u.givenName } : {}),
      ...(u.surname ? { familyName: u.surname } : {}),
    });
  }
  for (const id of state.missing) {
    const i = c.groups.ids?.indexOf(id) ?? -1;
    issues.push({ where: `groups.ids[${i}]`, reason: `no group with id ${id} in the tenant (deleted?): left out` });
  }
  return { people, groups: groups.map((g) => ({ sourceId: g.id, name: g.displayName, parentIds: [] })), issues };
}
