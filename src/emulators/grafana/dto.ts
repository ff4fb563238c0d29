import { createHash } from 'node:crypto';
import type { GrafanaStore, TeamRec, UserRec } from './store.js';
import type { OrgRole } from './types.js';

/** Gravatar path as Grafana builds it: md5 of the trimmed, lower-cased email. */
export const avatarUrl = (email: string) =>
  `/avatar/${createHash('md5').update(email.trim().toLowerCase()).digest('hex')}`;

const NEVER_SEEN = '2010-01-01T00:00:00Z';

/** org.OrgUserDTO fields. */
export function orgUserDto(orgId: number, user: UserRec, role: OrgRole) {
  return {
    orgId,
    userId: user.id,
    uid: user.uid,
    email: user.email,
    name: user.name,
    avatarUrl: avatarUrl(user.email),
    login: user.login,
    role,
    lastSeenAt: NEVER_SEEN,
    lastSeenAtAge: '10 years',
    accessControl: null,
    isDisabled: false,
    authLabels: null,
    isExternallySynced: false,
    isProvisioned: false,
  };
}

/** Org users sorted by login, then email (Grafana's SearchOrgUsers order). */
export function orgUsers(store: GrafanaStore, orgId: number, query = '') {
  const org = store.orgs.get(orgId);
  if (!org) return [];
  const q = query.toLowerCase();
  return [...org.users.entries()]
    .map(([userId, role]) => ({ user: store.users.get(userId)!, role }))
    .filter(({ user }) => !q || [user.login, user.email, user.name].some((f) => f.toLowerCase().includes(q)))
    .sort((a, b) => cmp(a.user.login, b.user.login) || cmp(a.user.email, b.user.email))
    .map(({ user, role }) => orgUserDto(orgId, user, role));
}

export const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** team.TeamDTO fields; `permission` is the caller's own permission on the team. */
export function teamDto(team: TeamRec, callerUserId?: number) {
  return {
    id: team.id,
    uid: team.uid,
    orgId: team.orgId,
    name: team.name,
    email: team.email,
    avatarUrl: avatarUrl(team.email || team.name),
    memberCount: team.members.size,
    permission: callerUserId === undefined ? 0 : (team.members.get(callerUserId) ?? 0),
    accessControl: null,
    isProvisioned: false,
    externalUID: '',
  };
}

/** team.TeamMemberDTO fields. */
export function teamMemberDto(store: GrafanaStore, team: TeamRec, userId: number) {
  const u = store.users.get(userId)!;
  return {
    orgId: team.orgId,
    teamId: team.id,
    teamUID: team.uid,
    userId,
    auth_module: '',
    email: u.email,
    name: u.name,
    login: u.login,
    avatarUrl: avatarUrl(u.email),
    labels: [],
    permission: team.members.get(userId) ?? 0,
  };
}

/** user.UserSearchHitDTO fields. */
export function userHit(u: UserRec) {
  return {
    id: u.id,
    uid: u.uid,
    name: u.name,
    login: u.login,
    email: u.email,
    avatarUrl: avatarUrl(u.email),
    isAdmin: u.isAdmin,
    isDisabled: false,
    lastSeenAt: NEVER_SEEN,
    lastSeenAtAge: '10 years',
    authLabels: null,
    isProvisioned: false,
  };
}

/** user.UserProfileDTO fields. */
export function userProfile(u: UserRec) {
  return {
    id: u.id,
    uid: u.uid,
    email: u.email,
    name: u.name,
    login: u.login,
    theme: '',
    orgId: u.orgId,
    isGrafanaAdmin: u.isAdmin,
    isDisabled: false,
    isExternal: false,
    isExternallySynced: false,
    isGrafanaAdminExternallySynced: false,
    authLabels: [],
    updatedAt: u.updatedAt,
    createdAt: u.createdAt,
    avatarUrl: avatarUrl(u.email),
    isProvisioned: false,
  };
}

export const orgDetails = (id: number, name: string) => ({
  id,
  name,
  address: { address1: '', address2: '', city: '', zipCode: '', state: '', country: '' },
});
