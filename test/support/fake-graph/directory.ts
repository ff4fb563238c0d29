/** The fake tenant's data and its change log, which the delta endpoints replay. */
export interface FakeUser { id: string; displayName: string; mail: string | null; userPrincipalName: string; givenName?: string; surname?: string; accountEnabled: boolean }
export interface FakeGroup { id: string; displayName: string; members: Set<string> }

type Change = { version: number; kind: 'user' | 'group'; id: string; removed?: boolean; member?: { id: string; removed: boolean } };

export class FakeDirectory {
  users = new Map<string, FakeUser>();
  groups = new Map<string, FakeGroup>();
  version = 1;
  changes: Change[] = [];

  private bump(c: Omit<Change, 'version'>) {
    this.version += 1;
    this.changes.push({ ...c, version: this.version });
  }

  addUser(u: Omit<FakeUser, 'accountEnabled'> & { accountEnabled?: boolean }): void {
    this.users.set(u.id, { accountEnabled: true, ...u });
    this.bump({ kind: 'user', id: u.id });
  }

  updateUser(id: string, patch: Partial<FakeUser>): void {
    Object.assign(this.users.get(id)!, patch);
    this.bump({ kind: 'user', id });
  }

  /** Like Graph: the user leaves every group without a members@delta entry on those groups. */
  removeUser(id: string): void {
    this.users.delete(id);
    for (const g of this.groups.values()) g.members.delete(id);
    this.bump({ kind: 'user', id, removed: true });
  }

  addGroup(id: string, displayName: string, members: string[] = []): void {
    this.groups.set(id, { id, displayName, members: new Set(members) });
    this.bump({ kind: 'group', id });
    // A new group's initial members show in its first delta entry, as Graph does.
    for (const m of members) this.bump({ kind: 'group', id, member: { id: m, removed: false } });
  }

  renameGroup(id: string, displayName: string): void {
    this.groups.get(id)!.displayName = displayName;
    this.bump({ kind: 'group', id });
  }

  /** The group disappears from its parents silently: only its own @removed entry says so. */
  removeGroup(id: string): void {
    this.groups.delete(id);
    for (const g of this.groups.values()) g.members.delete(id);
    this.bump({ kind: 'group', id, removed: true });
  }

  addMember(groupId: string, memberId: string): void {
    this.groups.get(groupId)!.members.add(memberId);
    this.bump({ kind: 'group', id: groupId, member: { id: memberId, removed: false } });
  }

  removeMember(groupId: string, memberId: string): void {
    this.groups.get(groupId)!.members.delete(memberId);
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
