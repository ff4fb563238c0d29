import { randomBytes } from 'node:crypto';
import { ResourceStore } from './resources.js';
import type { OrgRole } from './types.js';

/** In-memory Grafana server: orgs, global users, org memberships with one role each, teams per org. */

export const MAIN_ORG_NAME = 'Main Org.';
/** Team member permission values of the team API: 0 Member, 4 Admin. */
export type TeamPermission = 0 | 4;

export interface OrgRec {
  id: number;
  name: string;
  /** userId -> role, in the order added. */
  users: Map<number, OrgRole>;
}

export interface UserRec {
  id: number;
  uid: string;
  login: string;
  email: string;
  name: string;
  isAdmin: boolean;
  /** The org a Basic-auth call acts in without X-Grafana-Org-Id (Grafana's "current org"); 0 when none. */
  orgId: number;
  createdAt: string;
  updatedAt: string;
}

export interface TeamRec {
  id: number;
  uid: string;
  orgId: number;
  name: string;
  email: string;
  /** userId -> permission, in the order added. */
  members: Map<number, TeamPermission>;
}

/** Login and email compare case-insensitively (Grafana 10+ looks users up with LOWER()). */
const key = (s: string) => s.trim().toLowerCase();
const uid = () => randomBytes(7).toString('hex');

export class GrafanaStore {
  readonly orgs = new Map<number, OrgRec>();
  readonly users = new Map<number, UserRec>();
  readonly teams = new Map<number, TeamRec>();
  /** Basic-auth passwords by user id (users made as if by SSO have none). */
  readonly passwords = new Map<number, string>();
  /** Folders and dashboards with their permissions. */
  readonly resources: ResourceStore;
  /** 403s answered so far: numbers the accessErrorId. */
  accessDenials = 0;
  private nextOrg = 1;
  private nextUser = 1;
  private nextTeam = 1;

  constructor(private readonly now: () => number) {
    this.resources = new ResourceStore(() => this.stamp());
  }

  private stamp(): string {
    return new Date(this.now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }

  createOrg(name: string): OrgRec {
    const org: OrgRec = { id: this.nextOrg++, name, users: new Map() };
    this.orgs.set(org.id, org);
    return org;
  }

  /** Org names are unique as stored (exact match, as the org table's unique index on SQLite). */
  orgByName(name: string): OrgRec | undefined {
    for (const o of this.orgs.values()) if (o.name === name) return o;
    return undefined;
  }

  createUser(fields: { login: string; email: string; name: string; isAdmin?: boolean }): UserRec {
    const at = this.stamp();
    const user: UserRec = {
      id: this.nextUser++,
      uid: uid(),
      login: fields.login,
      email: fields.email,
      name: fields.name,
      isAdmin: fields.isAdmin ?? false,
      orgId: 0,
      createdAt: at,
      updatedAt: at,
    };
    this.users.set(user.id, user);
    return user;
  }

  /** Grafana's login conflict check: a login or email already used as either login or email of anyone. */
  loginConflict(login: string, email: string): boolean {
    const l = key(login);
    const e = key(email);
    for (const u of this.users.values()) {
      const ul = key(u.login);
      const ue = key(u.email);
      if (ul === l || ue === l || (e && (ul === e || ue === e))) return true;
    }
    return false;
  }

  userByLoginOrEmail(loginOrEmail: string): UserRec | undefined {
    const k = key(loginOrEmail);
    if (!k) return undefined;
    for (const u of this.users.values()) if (key(u.login) === k) return u;
    for (const u of this.users.values()) if (key(u.email) === k) return u;
    return undefined;
  }

  userByEmail(email: string): UserRec | undefined {
    const k = key(email);
    for (const u of this.users.values()) if (key(u.email) === k) return u;
    return undefined;
  }

  /** Adds the membership; the first org a user joins becomes their current org. */
  addOrgUser(orgId: number, userId: number, role: OrgRole): void {
    const org = this.orgs.get(orgId);
    const user = this.users.get(userId);
    if (!org || !user || org.users.has(userId)) return;
    org.users.set(userId, role);
    if (!user.orgId || !this.orgs.get(user.orgId)?.users.has(userId)) user.orgId = orgId;
  }

  /** Grafana validates after the change: some Admin must remain in the org (not "the one removed was the last"). */
  hasAdmin(org: OrgRec): boolean {
    for (const role of org.users.values()) if (role === 'Admin') return true;
    return false;
  }

  userOrgIds(userId: number): number[] {
    return [...this.orgs.values()].filter((o) => o.users.has(userId)).map((o) => o.id);
  }

  /** Drops the membership and the user's team memberships in that org; moves the current org if needed. */
  removeOrgUser(orgId: number, userId: number): void {
    const org = this.orgs.get(orgId);
    const user = this.users.get(userId);
    if (!org || !user) return;
    org.users.delete(userId);
    for (const t of this.teams.values()) if (t.orgId === orgId) t.members.delete(userId);
    if (user.orgId === orgId) user.orgId = this.userOrgIds(userId)[0] ?? 0;
  }

  deleteUser(userId: number): void {
    for (const o of this.orgs.values()) o.users.delete(userId);
    for (const t of this.teams.values()) t.members.delete(userId);
    this.users.delete(userId);
    this.passwords.delete(userId);
    this.resources.dropSubject({ kind: 'user', id: userId });
  }

  /** Grafana deletes a team's permissions with it. */
  deleteTeam(teamId: number): void {
    this.teams.delete(teamId);
    this.resources.dropSubject({ kind: 'team', id: teamId });
  }

  createTeam(orgId: number, name: string, email = ''): TeamRec {
    const team: TeamRec = { id: this.nextTeam++, uid: uid(), orgId, name, email, members: new Map() };
    this.teams.set(team.id, team);
    return team;
  }

  /** Exact, case-sensitive match per org: the team table's `name=?` on Grafana's default SQLite. */
  teamNameTaken(orgId: number, name: string, exceptId = 0): boolean {
    for (const t of this.teams.values()) if (t.orgId === orgId && t.name === name && t.id !== exceptId) return true;
    return false;
  }

  teamInOrg(orgId: number, teamId: number): TeamRec | undefined {
    const t = this.teams.get(teamId);
    return t?.orgId === orgId ? t : undefined;
  }

  teamsOf(orgId: number): TeamRec[] {
    return [...this.teams.values()].filter((t) => t.orgId === orgId);
  }
}
