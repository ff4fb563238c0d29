import { EmulatorOptionError } from '../index.js';
import type { GrantSubject, Level, ResourceRec } from './resources.js';
import { GrafanaStore, MAIN_ORG_NAME, type OrgRec, type TeamRec, type UserRec } from './store.js';
import type { OrgRole, ResolvedGrafanaOptions } from './types.js';

/** A fresh server: org 1 "Main Org." and user 1 (the server admin, Admin of org 1). */
export function initialStore(o: ResolvedGrafanaOptions): GrafanaStore {
  const store = new GrafanaStore(o.now);
  const main = store.createOrg(MAIN_ORG_NAME);
  const admin = store.createUser({ login: o.adminUser, email: 'admin@localhost', name: '', isAdmin: true });
  store.addOrgUser(main.id, admin.id, 'Admin');
  return store;
}

/** Direct state changes for tests: no HTTP, no log entries, no auth. */
export class GrafanaStateApi {
  constructor(
    private readonly store: () => GrafanaStore,
    private readonly options: () => ResolvedGrafanaOptions,
  ) {}

  createOrg(name: string): OrgRec {
    if (this.store().orgByName(name)) throw new EmulatorOptionError(`createOrg: an org named "${name}" exists`);
    return this.store().createOrg(name);
  }

  /**
   * As a first SSO login creates a user: it joins the auto-assign org with the auto-assign role, or,
   * with autoAssignOrg off, gets a new org named after it as Admin. `password` enables Basic auth.
   */
  createUser(fields: { login: string; email: string; name?: string; password?: string; isAdmin?: boolean }): UserRec {
    const store = this.store();
    const o = this.options();
    if (store.loginConflict(fields.login, fields.email))
      throw new EmulatorOptionError(`createUser: login or email of "${fields.login}" taken`);
    const user = store.createUser({
      login: fields.login,
      email: fields.email,
      name: fields.name ?? '',
      isAdmin: fields.isAdmin ?? false,
    });
    if (fields.password !== undefined) store.passwords.set(user.id, fields.password);
    if (o.autoAssignOrg) {
      if (store.orgs.has(o.autoAssignOrgId)) store.addOrgUser(o.autoAssignOrgId, user.id, o.autoAssignOrgRole);
    } else {
      store.addOrgUser(store.createOrg(fields.email || fields.login).id, user.id, 'Admin');
    }
    return user;
  }

  /** Adds the user to the org, or changes the role when already a member. */
  setOrgRole(orgId: number, userRef: number | string, role: OrgRole): void {
    const store = this.store();
    const user = this.user(userRef);
    const org = store.orgs.get(orgId);
    if (!org) throw new EmulatorOptionError(`setOrgRole: no org ${orgId}`);
    if (org.users.has(user.id)) org.users.set(user.id, role);
    else store.addOrgUser(orgId, user.id, role);
  }

  removeOrgUser(orgId: number, userRef: number | string): void {
    this.store().removeOrgUser(orgId, this.user(userRef).id);
  }

  createTeam(orgId: number, name: string, email = ''): TeamRec {
    const store = this.store();
    if (!store.orgs.has(orgId)) throw new EmulatorOptionError(`createTeam: no org ${orgId}`);
    if (store.teamNameTaken(orgId, name))
      throw new EmulatorOptionError(`createTeam: team "${name}" exists in org ${orgId}`);
    return store.createTeam(orgId, name, email);
  }

  addTeamMember(teamId: number, userRef: number | string, admin = false): void {
    const team = this.store().teams.get(teamId);
    if (!team) throw new EmulatorOptionError(`addTeamMember: no team ${teamId}`);
    team.members.set(this.user(userRef).id, admin ? 4 : 0);
  }

  /**
   * A folder or dashboard as if made through the API, without the creator's grants: `defaults` adds
   * Grafana's Editor Edit and Viewer View (given on creation at the root). `folderUid` nests it.
   */
  createResource(
    orgId: number,
    fields: { kind: ResourceRec['kind']; title: string; uid?: string; folderUid?: string; defaults?: boolean },
  ): ResourceRec {
    const { resources } = this.store();
    if (!this.store().orgs.has(orgId)) throw new EmulatorOptionError(`createResource: no org ${orgId}`);
    if (fields.uid && resources.get(orgId, fields.uid))
      throw new EmulatorOptionError(`createResource: uid "${fields.uid}" taken in org ${orgId}`);
    if (fields.folderUid && !resources.get(orgId, fields.folderUid, 'folder'))
      throw new EmulatorOptionError(`createResource: no folder "${fields.folderUid}" in org ${orgId}`);
    const res = resources.create({
      kind: fields.kind,
      uid: fields.uid ?? resources.newUid(),
      orgId,
      title: fields.title,
      folderUid: fields.folderUid ?? '',
      createdBy: 'Anonymous',
    });
    if (fields.defaults) {
      resources.setGrant(res, { kind: 'role', id: 'Editor' }, 'Edit');
      resources.setGrant(res, { kind: 'role', id: 'Viewer' }, 'View');
    }
    return res;
  }

  /** Sets (or with '' removes) one grant on a folder or dashboard. */
  setGrant(orgId: number, uid: string, subject: GrantSubject, level: Level | ''): void {
    const res = this.store().resources.get(orgId, uid);
    if (!res) throw new EmulatorOptionError(`setGrant: no folder or dashboard "${uid}" in org ${orgId}`);
    this.store().resources.setGrant(res, subject, level);
  }

  /** A resource's own grants (not the inherited ones), in the order they were made. */
  grants(orgId: number, uid: string): Array<{ subject: GrantSubject; level: Level }> {
    const res = this.store().resources.get(orgId, uid);
    if (!res) throw new EmulatorOptionError(`grants: no folder or dashboard "${uid}" in org ${orgId}`);
    return res.grants.map((g) => ({ subject: g.subject, level: g.level }));
  }

  user(ref: number | string): UserRec {
    const store = this.store();
    const user = typeof ref === 'number' ? store.users.get(ref) : store.userByLoginOrEmail(ref);
    if (!user) throw new EmulatorOptionError(`no user ${String(ref)}`);
    return user;
  }

  dump(): GrafanaDump {
    const store = this.store();
    const login = (id: number) => store.users.get(id)?.login ?? '';
    return {
      orgs: [...store.orgs.values()].map((org) => ({
        id: org.id,
        name: org.name,
        users: [...org.users.entries()].map(([userId, role]) => ({ userId, login: login(userId), role })),
        teams: store.teamsOf(org.id).map((t) => ({
          id: t.id,
          name: t.name,
          email: t.email,
          members: [...t.members.entries()].map(([userId, permission]) => ({
            userId,
            login: login(userId),
            permission,
          })),
        })),
      })),
      users: [...store.users.values()].map((u) => ({
        id: u.id,
        login: u.login,
        email: u.email,
        name: u.name,
        isAdmin: u.isAdmin,
        orgId: u.orgId,
        orgIds: store.userOrgIds(u.id),
      })),
      resources: [...store.resources.byKey.values()].map((r) => ({
        kind: r.kind,
        orgId: r.orgId,
        uid: r.uid,
        title: r.title,
        folderUid: r.folderUid,
        grants: r.grants.map((g) => ({ subject: g.subject, level: g.level })),
      })),
    };
  }
}

/** Plain JSON state for assertions. */
export interface GrafanaDump {
  orgs: Array<{
    id: number;
    name: string;
    users: Array<{ userId: number; login: string; role: OrgRole }>;
    teams: Array<{
      id: number;
      name: string;
      email: string;
      members: Array<{ userId: number; login: string; permission: number }>;
    }>;
  }>;
  users: Array<{
    id: number;
    login: string;
    email: string;
    name: string;
    isAdmin: boolean;
    orgId: number;
    orgIds: number[];
  }>;
  /** Folders and dashboards with their own grants. */
  resources: Array<{
    kind: ResourceRec['kind'];
    orgId: number;
    uid: string;
    title: string;
    folderUid: string;
    grants: Array<{ subject: GrantSubject; level: Level }>;
  }>;
}
