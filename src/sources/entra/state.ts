import { groupNesting } from '../../mapping/group-closure.js';
import type { Person, Snapshot, SourceIssue } from '../../model/index.js';
import { readAttributes, SharedValues } from '../attributes.js';
import { mergeProps, propsOf, readAttribute, selectedProperties, type UserProps } from './attributes.js';
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
  /** The selected properties the listed attributes read (source.attributes), raw as Graph gave them. */
  props?: UserProps;
}
/**
 * A group read: in a transitive read, its transitive user members and every group below it (for
 * delta re-reads); in a nesting read, its direct user members and its direct member groups.
 */
export interface ScopedGroup {
  id: string;
  displayName: string;
  members: string[];
  nested: string[];
}
export type DirectoryObject = Omit<GraphUser, 'props'> & {
  '@odata.type'?: string;
  '@removed'?: unknown;
  'members@delta'?: DirectoryObject[];
  /** Any other property Graph returned (the attributes' properties). */
  [property: string]: unknown;
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
  /**
   * The attributes' properties the users were read with (attributeSelect): the users' deltaLink
   * carries the same `$select`, so another list needs a full read. Absent in a state kept before
   * attributes were read: the same as none.
   */
  select?: string;
  /** Read with nesting (direct members, groups.nesting): `groups` and `below` hold direct members. */
  nesting?: boolean;
  /**
   * Groups outside the scope read because they sit below an in-scope group (nesting reads only):
   * their people and groups pass up to the in-scope groups above them.
   */
  below?: Record<string, ScopedGroup>;
}
export interface Cursor {
  users: string;
  groups: string;
}

export const USER_FIELDS = 'id,displayName,mail,userPrincipalName,givenName,surname,accountEnabled';
const CORE = ['displayName', 'mail', 'userPrincipalName', 'givenName', 'surname', 'accountEnabled'] as const;

/** The top-level properties the profile's attributes need besides the essentials, comma-separated ('' for none). */
export function attributeSelect(c: Pick<EntraSourceConfig, 'attributes'>): string {
  const core = new Set(USER_FIELDS.toLowerCase().split(','));
  return selectedProperties(c.attributes)
    .filter((p) => !core.has(p.toLowerCase()))
    .join(',');
}

/** `$select` for users: the essentials and the attributes' properties. */
export function userSelect(c: Pick<EntraSourceConfig, 'attributes'>): string {
  const extra = attributeSelect(c);
  return extra ? `${USER_FIELDS},${extra}` : USER_FIELDS;
}

/** A user as a full read returns it: what it lacks is not set. */
export function pickUser(u: DirectoryObject, c: Pick<EntraSourceConfig, 'attributes'>): GraphUser {
  const props = propsOf(u, selectedProperties(c.attributes));
  return {
    id: u.id,
    displayName: u.displayName ?? null,
    mail: u.mail ?? null,
    userPrincipalName: u.userPrincipalName ?? null,
    givenName: u.givenName ?? null,
    surname: u.surname ?? null,
    accountEnabled: u.accountEnabled ?? null,
    ...(props ? { props } : {}),
  };
}

/**
 * A users/delta record onto the kept user: Graph sends an updated user with (at least) the
 * properties that changed, so a property the record carries replaces the kept one (null clears
 * it) and one it lacks stays. A user not kept yet is taken as the record says.
 */
export function mergeUser(
  kept: GraphUser | undefined,
  u: DirectoryObject,
  c: Pick<EntraSourceConfig, 'attributes'>,
): GraphUser {
  if (!kept) return pickUser(u, c);
  const out: GraphUser = { ...kept };
  for (const k of CORE) if (k in u) (out as unknown as Record<string, unknown>)[k] = u[k] ?? null;
  const props = mergeProps(kept.props, u, selectedProperties(c.attributes));
  if (props) out.props = props;
  else delete out.props;
  return out;
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
  for (const g of [...Object.values(state.groups), ...Object.values(state.below ?? {})])
    for (const m of g.members) inGroups.add(m);
  for (const id of Object.keys(state.users)) if (!inGroups.has(id)) delete state.users[id];
}

/** The snapshot, in a stable order (people and groups by id, groupIds sorted), so equal directories give equal snapshots. */
export function buildSnapshot(
  state: State,
  c: EntraSourceConfig,
  /** Called for each listed attribute whose path ends at an object for some user (not a value). */
  onObject?: (attribute: string) => void,
): Snapshot {
  const issues: SourceIssue[] = [];
  const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  const groups = Object.values(state.groups).sort(byId);
  const tree = state.nesting ? nestingOf(state) : undefined;
  if (tree) issues.push(...tree.issues);
  const groupIds = new Map<string, string[]>();
  for (const g of groups)
    for (const m of tree ? tree.people.get(g.id)! : g.members) groupIds.set(m, [...(groupIds.get(m) ?? []), g.id]);
  const people: Person[] = [];
  const shared = new SharedValues();
  for (const u of Object.values(state.users).sort(byId)) {
    const ids = groupIds.get(u.id) ?? [];
    if (c.users === 'groupMembers' && ids.length === 0) continue;
    const email = c.email.map((k) => u[k]).find((v): v is string => typeof v === 'string' && v.trim() !== '');
    if (!email) {
      issues.push({ where: `user ${u.id}`, reason: 'no mail or userPrincipalName: skipped' });
      continue;
    }
    const attributes = readAttributes(
      c.attributes,
      (name) => {
        const read = readAttribute(u.props ?? {}, name);
        if (read && 'object' in read) onObject?.(name);
        return read && 'values' in read ? read.values : undefined;
      },
      shared,
    );
    people.push({
      sourceId: u.id,
      email: email.trim(),
      displayName: u.displayName ?? email,
      enabled: u.accountEnabled !== false,
      groupIds: ids,
      ...(u.givenName ? { givenName: u.givenName } : {}),
      ...(u.surname ? { familyName: u.surname } : {}),
      ...(attributes ? { attributes } : {}),
    });
  }
  for (const id of state.missing) {
    const i = c.groups.ids?.indexOf(id) ?? -1;
    issues.push({ where: `groups.ids[${i}]`, reason: `no group with id ${id} in the tenant (deleted?): left out` });
  }
  return {
    people,
    groups: groups.map((g) => ({ sourceId: g.id, name: g.displayName, parentIds: tree?.parents.get(g.id) ?? [] })),
    issues,
  };
}

/**
 * A nesting read as the snapshot has it: for each in-scope group, its people and the in-scope
 * groups in it, where a group outside the scope passes its own members up (its people count as
 * members of the in-scope groups above it, an in-scope group inside it gets those as parents), as
 * the mapping does for a group no rule maps. Each cycle through a group outside the scope is an
 * issue (cycles of in-scope groups reach the mapping, which reports them); none is walked round.
 */
export function nestingOf(state: State): {
  people: Map<string, string[]>;
  parents: Map<string, string[]>;
  issues: SourceIssue[];
} {
  const below = state.below ?? {};
  const read = (id: string) => state.groups[id] ?? below[id];
  const people = new Map<string, string[]>();
  const parents = new Map<string, string[]>();
  for (const id of Object.keys(state.groups).sort()) {
    const mine = new Set<string>();
    const seen = new Set<string>([id]);
    const stack = [id];
    while (stack.length > 0) {
      const g = read(stack.pop()!)!;
      for (const m of g.members) mine.add(m);
      for (const child of g.nested) {
        if (state.groups[child]) {
          const list = parents.get(child) ?? [];
          if (!list.includes(id)) parents.set(child, [...list, id]);
        } else if (below[child] && !seen.has(child)) {
          seen.add(child);
          stack.push(child);
        }
      }
    }
    people.set(id, [...mine].sort());
  }
  const issues = cyclesThroughBelow(state).map((cycle) => ({
    where: 'groups',
    reason: `groups nest in a cycle through groups outside the scope (${cycle.join(', ')}): not followed round; their members count in each in-scope group above them`,
  }));
  return { people, parents, issues };
}

/** Each cycle (a strongly connected set of groups) with a group outside the scope in it, as names sorted. */
function cyclesThroughBelow(state: State): string[][] {
  const below = state.below ?? {};
  const all: Record<string, ScopedGroup> = { ...below, ...state.groups };
  // The mapping's own cycle finder: a cycle is the same set whichever way its edges point.
  const nesting = groupNesting(
    Object.entries(all).map(([id, g]) => ({
      sourceId: id,
      name: g.displayName,
      parentIds: g.nested.filter((c) => all[c] !== undefined),
    })),
  );
  return nesting.cycles
    .filter((members) => members.some((id) => below[id] && !state.groups[id]))
    .map((members) =>
      members.map((id) => `${all[id]!.displayName} (${id}${state.groups[id] ? '' : ', outside the scope'})`).sort(),
    );
}
