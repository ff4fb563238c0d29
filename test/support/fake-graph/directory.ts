import { EXTENSION_NAME, USER_PROPERTIES } from './user-properties.js';

/**
 * The fake tenant's data and its change log, which the delta endpoints replay. Strict as Graph is:
 * creating an id that exists, changing or deleting one that does not, adding a member twice or
 * removing a non-member throws, so a test cannot describe a directory change Graph would refuse.
 * A user carries only Graph's user properties and the directory extensions registered here.
 */
interface FakeUserCore {
  id: string;
  displayName: string;
  mail: string | null;
  userPrincipalName: string;
  givenName?: string;
  surname?: string;
  accountEnabled: boolean;
}
/** Any other user property (department, employeeOrgData, businessPhones, ...) or registered extension; null: cleared. */
type OtherProperties = Record<string, unknown>;
export type FakeUser = FakeUserCore & OtherProperties;
export interface FakeGroup {
  id: string;
  displayName: string;
  members: Set<string>;
}

type Change = {
  version: number;
  kind: 'user' | 'group';
  id: string;
  removed?: boolean;
  /** A user created in this change (its first delta entry is its whole representation). */
  created?: boolean;
  /** The user properties an update changed (users/delta with $select tracks only the selected ones). */
  props?: string[];
  member?: { id: string; removed: boolean };
};

export class FakeDirectory {
  users = new Map<string, FakeUser>();
  groups = new Map<string, FakeGroup>();
  version = 1;
  changes: Change[] = [];
  /** Directory extension properties registered on users (extension_<appId>_<name>). */
  extensions = new Set<string>();

  /** Registers a directory extension for users, as an app's extensionProperties would; returns its property name. */
  addExtensionProperty(appId: string, name: string): string {
    const property = `extension_${appId.replace(/-/g, '').toLowerCase()}_${name}`;
    if (!EXTENSION_NAME.test(property)) throw new Error(`fake graph: ${property} is not an extension property name`);
    this.extensions.add(property);
    return property;
  }

  /** Whether users have this property (Graph's user resource, or a registered extension). */
  isUserProperty(name: string): boolean {
    return USER_PROPERTIES.has(name) || this.extensions.has(name);
  }

  private checkProperties(keys: string[]): void {
    for (const k of keys) if (!this.isUserProperty(k)) throw new Error(`fake graph: users have no property ${k}`);
  }

  private bump(c: Omit<Change, 'version'>) {
    this.version += 1;
    this.changes.push({ ...c, version: this.version });
  }

  /** A group by object id as Graph finds one in a path: ids compare without case (GUIDs). */
  groupById(id: string): FakeGroup | undefined {
    const exact = this.groups.get(id);
    if (exact) return exact;
    const lower = id.toLowerCase();
    for (const g of this.groups.values()) if (g.id.toLowerCase() === lower) return g;
    return undefined;
  }

  private user(id: string): FakeUser {
    const u = this.users.get(id);
    if (!u) throw new Error(`fake graph: no user ${id}`);
    return u;
  }

  private group(id: string): FakeGroup {
    const g = this.groups.get(id);
    if (!g) throw new Error(`fake graph: no group ${id}`);
    return g;
  }

  private fresh(id: string): void {
    if (this.users.has(id) || this.groups.has(id)) throw new Error(`fake graph: object ${id} exists already`);
  }

  addUser(u: Omit<FakeUserCore, 'accountEnabled'> & { accountEnabled?: boolean } & OtherProperties): void {
    this.fresh(u.id);
    this.checkProperties(Object.keys(u));
    this.users.set(u.id, { accountEnabled: true, ...u });
    this.bump({ kind: 'user', id: u.id, created: true });
  }

  /** A PATCH of the user: the properties given change (null clears one); the change log says which. */
  updateUser(id: string, patch: Partial<Omit<FakeUserCore, 'id'>> & OtherProperties): void {
    if ('id' in patch) throw new Error('fake graph: a user keeps its id');
    this.checkProperties(Object.keys(patch));
    Object.assign(this.user(id), patch);
    this.bump({ kind: 'user', id, props: Object.keys(patch) });
  }

  /** Like Graph: the user leaves every group without a members@delta entry on those groups. */
  removeUser(id: string): void {
    this.user(id);
    this.users.delete(id);
    for (const g of this.groups.values()) g.members.delete(id);
    this.bump({ kind: 'user', id, removed: true });
  }

  addGroup(id: string, displayName: string, members: string[] = []): void {
    this.fresh(id);
    for (const m of members)
      if (!this.users.has(m) && !this.groups.has(m))
        throw new Error(`fake graph: no object ${m} to add to group ${id}`);
    if (new Set(members).size !== members.length) throw new Error(`fake graph: group ${id} given a member twice`);
    this.groups.set(id, { id, displayName, members: new Set(members) });
    this.bump({ kind: 'group', id });
    // A new group's initial members show in its first delta entry, as Graph does.
    for (const m of members) this.bump({ kind: 'group', id, member: { id: m, removed: false } });
  }

  renameGroup(id: string, displayName: string): void {
    this.group(id).displayName = displayName;
    this.bump({ kind: 'group', id });
  }

  /** The group disappears from its parents silently: only its own @removed entry says so. */
  removeGroup(id: string): void {
    this.group(id);
    this.groups.delete(id);
    for (const g of this.groups.values()) g.members.delete(id);
    this.bump({ kind: 'group', id, removed: true });
  }

  /** Graph answers 400 (reference already exists) or 404 (no such object) where this throws. */
  addMember(groupId: string, memberId: string): void {
    const g = this.group(groupId);
    if (!this.users.has(memberId) && !this.groups.has(memberId))
      throw new Error(`fake graph: no object ${memberId} to add to group ${groupId}`);
    if (memberId === groupId) throw new Error(`fake graph: group ${groupId} cannot contain itself`);
    if (g.members.has(memberId)) throw new Error(`fake graph: ${memberId} is already a member of group ${groupId}`);
    g.members.add(memberId);
    this.bump({ kind: 'group', id: groupId, member: { id: memberId, removed: false } });
  }

  removeMember(groupId: string, memberId: string): void {
    const g = this.group(groupId);
    if (!g.members.has(memberId)) throw new Error(`fake graph: ${memberId} is not a member of group ${groupId}`);
    g.members.delete(memberId);
    this.bump({ kind: 'group', id: groupId, member: { id: memberId, removed: true } });
  }

  /** Users and groups reachable below a group (nested groups followed once). */
  transitiveMembers(groupId: string): string[] {
    const seen = new Set<string>();
    const walk = (id: string) => {
      for (const m of this.groups.get(id)?.members ?? []) {
        if (seen.has(m)) continue;
        seen.add(m);
        if (this.groups.has(m)) walk(m);
      }
    };
    walk(groupId);
    return [...seen];
  }
}
