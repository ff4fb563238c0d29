/** Users and groups in creation order; userName and group displayName unique without regard to case. */
export interface UserRec {
  id: string;
  userName: string;
  externalId?: string;
  displayName?: string;
  name?: { givenName?: string; familyName?: string };
  emails: { value: string; type?: string; primary?: boolean }[];
  active: boolean;
  roles: { value: string }[];
  entitlements: { value: string }[];
  version: number;
}

export interface GroupRec {
  id: string;
  displayName: string;
  members: Set<string>;
  version: number;
}

export class ScimStore {
  readonly users = new Map<string, UserRec>();
  readonly groups = new Map<string, GroupRec>();
  private seq = 0;

  newId(prefix: string): string {
    return `${prefix}-${(++this.seq).toString(16).padStart(8, '0')}`;
  }

  userByName(userName: string): UserRec | undefined {
    const want = userName.toLowerCase();
    for (const u of this.users.values()) if (u.userName.toLowerCase() === want) return u;
    return undefined;
  }

  groupByName(name: string): GroupRec | undefined {
    const want = name.toLowerCase();
    for (const g of this.groups.values()) if (g.displayName.toLowerCase() === want) return g;
    return undefined;
  }

  /** A user's primary address (tests look people up by email). */
  userByEmail(email: string): UserRec | undefined {
    const want = email.toLowerCase();
    for (const u of this.users.values())
      if ((u.emails.find((e) => e.primary) ?? u.emails[0])?.value.toLowerCase() === want) return u;
    return undefined;
  }

  /** Deleting a user takes them out of every group. */
  deleteUser(id: string): boolean {
    if (!this.users.delete(id)) return false;
    for (const g of this.groups.values()) g.members.delete(id);
    return true;
  }
}

export const initialStore = (): ScimStore => new ScimStore();

const meta = (type: string, id: string, version: number) => ({
  resourceType: type,
  location: `/scim/v2/${type}s/${id}`,
  version: `W/"${version}"`,
});

/** A user as the API shows it. */
export const userDto = (u: UserRec) => ({
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
  id: u.id,
  userName: u.userName,
  ...(u.externalId !== undefined ? { externalId: u.externalId } : {}),
  ...(u.displayName !== undefined ? { displayName: u.displayName } : {}),
  ...(u.name ? { name: u.name } : {}),
  emails: u.emails,
  active: u.active,
  ...(u.roles.length > 0 ? { roles: u.roles } : {}),
  ...(u.entitlements.length > 0 ? { entitlements: u.entitlements } : {}),
  meta: meta('User', u.id, u.version),
});

export const groupDto = (g: GroupRec, users: Map<string, UserRec>) => ({
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
  id: g.id,
  displayName: g.displayName,
  members: [...g.members].map((value) => ({ value, display: users.get(value)?.userName, type: 'User' })),
  meta: meta('Group', g.id, g.version),
});
