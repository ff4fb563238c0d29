import type { Handler } from './context.js';
import {
  addOrgUser,
  getCurrentOrg,
  listOrgUsers,
  removeOrgUser,
  searchOrgUsers,
  updateOrgUser,
} from './handlers/org-users.js';
import { createOrg, getOrgById, getOrgByName, searchOrgs } from './handlers/orgs.js';
import { addTeamMember, listTeamMembers, removeTeamMember, setTeamMemberships } from './handlers/team-members.js';
import { createTeam, deleteTeam, getTeam, searchTeams, updateTeam } from './handlers/teams.js';
import { createUser, deleteUser, getUser, lookupUser, searchUsers } from './handlers/users.js';
import { getPermissions, setOnePermission, setPermissions } from './handlers/access-control.js';
import { createFolder, getDashboard, getFolder, listFolders, saveDashboard, search } from './handlers/folders.js';
import { getLegacyPermissions, setLegacyPermissions } from './handlers/permissions.js';
import { versionAtLeast } from './options.js';

/**
 * Who may call a route. `org`: acts in the caller's org and needs its Admin role (`anyMember` lets
 * any role in); `pathOrg`: the same, judged in the org named by `:orgId` (Grafana's
 * authorizeInOrg with UseOrgFromContextParams), where a server admin also passes; `server`: a
 * Basic-auth server admin only (global permissions). `action` is the RBAC action Grafana names in
 * its 403 message.
 */
export type Access =
  | { kind: 'public' }
  | { kind: 'org'; action: string; anyMember?: boolean }
  | { kind: 'pathOrg'; action: string; anyMember?: boolean }
  | { kind: 'server'; action: string };

interface Route {
  method: string;
  parts: string[];
  handler: Handler;
  access: Access;
  /** First Grafana version that serves the route; older versions answer as for an unknown route. */
  since?: string;
}

/** Folder and dashboard permissions through access control (resourcepermissions) exist since Grafana 9. */
export const ACCESS_CONTROL_SINCE = '9.0.0';
/** Its batch form (POST .../:uid {permissions}): grafana/grafana#57893, released in 9.3.0 (a 9.2.x backport was planned). */
export const BATCH_PERMISSIONS_SINCE = '9.3.0';

const org = (action: string, anyMember = false): Access => ({ kind: 'org', action, anyMember });
const server = (action: string): Access => ({ kind: 'server', action });
const pathOrg = (action: string, anyMember = false): Access => ({ kind: 'pathOrg', action, anyMember });
const r = (method: string, pattern: string, handler: Handler, access: Access, since?: string): Route => ({
  method,
  parts: pattern.split('/'),
  handler,
  access,
  ...(since ? { since } : {}),
});

/** The access-control permission routes of folders and dashboards. */
const ACCESS_CONTROL_ROUTES: Route[] = (['folder', 'dashboard'] as const).flatMap((kind) => {
  const base = `access-control/${kind}s/:uid`;
  const read = org(`${kind}s.permissions:read`);
  const write = org(`${kind}s.permissions:write`);
  return [
    r('GET', base, getPermissions(kind), read, ACCESS_CONTROL_SINCE),
    r('POST', base, setPermissions(kind), write, BATCH_PERMISSIONS_SINCE),
    ...(['users', 'teams', 'builtInRoles'] as const).map((target) =>
      r('POST', `${base}/${target}/:subject`, setOnePermission(kind, target), write, ACCESS_CONTROL_SINCE),
    ),
  ];
});

/** Paths under /api; literal segments are listed before `:param` ones so `users/search` wins over `users/:id`. */
const ROUTES: Route[] = [
  r('GET', 'health', () => ({ status: 200, body: {} }), { kind: 'public' }),
  r('GET', 'org', getCurrentOrg, org('orgs:read', true)),
  r('GET', 'org/users', listOrgUsers(false), org('org.users:read')),
  r('GET', 'org/users/search', searchOrgUsers(false), org('org.users:read')),
  r('POST', 'org/users', addOrgUser(false), org('org.users:add')),
  r('PATCH', 'org/users/:userId', updateOrgUser(false), org('org.users:write')),
  r('DELETE', 'org/users/:userId', removeOrgUser(false), org('org.users:remove')),
  r('GET', 'orgs', searchOrgs, server('orgs:read')),
  r('POST', 'orgs', createOrg, server('orgs:create')),
  r('GET', 'orgs/name/:name', getOrgByName, server('orgs:read')),
  r('GET', 'orgs/:orgId', getOrgById, pathOrg('orgs:read', true)),
  r('GET', 'orgs/:orgId/users', listOrgUsers(true), pathOrg('org.users:read')),
  r('GET', 'orgs/:orgId/users/search', searchOrgUsers(true), pathOrg('org.users:read')),
  r('POST', 'orgs/:orgId/users', addOrgUser(true), pathOrg('org.users:add')),
  r('PATCH', 'orgs/:orgId/users/:userId', updateOrgUser(true), pathOrg('org.users:write')),
  r('DELETE', 'orgs/:orgId/users/:userId', removeOrgUser(true), pathOrg('org.users:remove')),
  r('GET', 'teams/search', searchTeams, org('teams:read')),
  r('POST', 'teams', createTeam, org('teams:create')),
  r('GET', 'teams/:teamId', getTeam, org('teams:read')),
  r('PUT', 'teams/:teamId', updateTeam, org('teams:write')),
  r('DELETE', 'teams/:teamId', deleteTeam, org('teams:delete')),
  r('GET', 'teams/:teamId/members', listTeamMembers, org('teams.permissions:read')),
  r('POST', 'teams/:teamId/members', addTeamMember, org('teams.permissions:write')),
  r('PUT', 'teams/:teamId/members', setTeamMemberships, org('teams.permissions:write'), '11.1.0'),
  r('DELETE', 'teams/:teamId/members/:userId', removeTeamMember, org('teams.permissions:write')),
  r('GET', 'search', search, org('dashboards:read', true)),
  r('GET', 'folders', listFolders, org('folders:read', true)),
  r('POST', 'folders', createFolder, org('folders:create')),
  r('GET', 'folders/:uid', getFolder, org('folders:read', true)),
  r('GET', 'folders/:uid/permissions', getLegacyPermissions('folder'), org('folders.permissions:read')),
  r('POST', 'folders/:uid/permissions', setLegacyPermissions('folder'), org('folders.permissions:write')),
  r('POST', 'dashboards/db', saveDashboard, org('dashboards:create')),
  r('GET', 'dashboards/uid/:uid', getDashboard, org('dashboards:read', true)),
  r('GET', 'dashboards/uid/:uid/permissions', getLegacyPermissions('dashboard'), org('dashboards.permissions:read')),
  r('POST', 'dashboards/uid/:uid/permissions', setLegacyPermissions('dashboard'), org('dashboards.permissions:write')),
  ...ACCESS_CONTROL_ROUTES,
  r('POST', 'admin/users', createUser, server('users:create')),
  r('DELETE', 'admin/users/:id', deleteUser, server('users:delete')),
  r('GET', 'users', searchUsers(false), server('users:read')),
  r('GET', 'users/search', searchUsers(true), server('users:read')),
  r('GET', 'users/lookup', lookupUser, server('users:read')),
  r('GET', 'users/:id', getUser, server('users:read')),
];

export type Match = { handler: Handler; access: Access; params: Record<string, string> } | undefined;

/**
 * Grafana's router sends an unmatched path or method (and a route the version lacks) to the
 * not-found handler: 404 {"message": "Not found"} for /api requests.
 */
export function matchRoute(method: string, segments: string[], version: string): Match {
  for (const route of ROUTES) {
    if (route.method !== method || route.parts.length !== segments.length) continue;
    if (route.since && !versionAtLeast(version, route.since)) continue;
    const params: Record<string, string> = {};
    let hit = true;
    for (let i = 0; i < route.parts.length && hit; i++) {
      const part = route.parts[i]!;
      if (part.startsWith(':')) params[part.slice(1)] = segments[i]!;
      else hit = part === segments[i];
    }
    if (hit) return { handler: route.handler, access: route.access, params };
  }
  return undefined;
}
