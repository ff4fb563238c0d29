import type { Handler } from './context.js';
import { addMember, removeMember } from './handlers/members.js';
import {
  deletePermission,
  getPermission,
  listPermissions,
  updatePermission,
  upsertPermission,
} from './handlers/permissions.js';
import {
  getDashboard,
  getDatasource,
  getSchemaSyncTask,
  listDashboards,
  listDatasources,
  patchDatasource,
  root,
  startSchemaSync,
} from './handlers/resources.js';
import { createTeam, deleteTeam, getTeam, listTeams, renameTeam } from './handlers/teams.js';
import { createUser, deleteUser, getUser, listUsers } from './handlers/users.js';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

interface Route {
  parts: string[];
  methods: Partial<Record<Method, Handler>>;
}

const route = (pattern: string, methods: Route['methods']): Route => ({
  parts: pattern ? pattern.split('/') : [],
  methods,
});

const permissionRoutes = (prefix: string): Route[] => [
  route(`${prefix}/permissions`, { GET: listPermissions, POST: upsertPermission }),
  route(`${prefix}/permissions/:permissionId`, {
    GET: getPermission,
    PUT: updatePermission,
    PATCH: updatePermission,
    DELETE: deletePermission,
  }),
];

/** Paths under `/v1/{org}`; `:name` segments are params (`teams/:teamId` also serves `teams/owners`). */
const ROUTES: Route[] = [
  route('', { GET: root }),
  route('users', { GET: listUsers, POST: createUser }),
  route('users/:userId', { GET: getUser, DELETE: deleteUser }),
  route('teams', { GET: listTeams, POST: createTeam }),
  route('teams/:teamId', { GET: getTeam, PATCH: renameTeam, DELETE: deleteTeam }),
  route('teams/:teamId/users', { PATCH: addMember }),
  route('teams/:teamId/users/:userId', { DELETE: removeMember }),
  route('dashboards', { GET: listDashboards }),
  route('dashboards/:dashboardId', { GET: getDashboard }),
  ...permissionRoutes('dashboards/:dashboardId'),
  route('datasources', { GET: listDatasources }),
  route('datasources/:datasourceId', { GET: getDatasource, PATCH: patchDatasource }),
  ...permissionRoutes('datasources/:datasourceId'),
  route('datasources/:datasourceId/schema-sync', { POST: startSchemaSync }),
  route('datasources/:datasourceId/schema-sync/tasks/:taskId', { GET: getSchemaSyncTask }),
];

export type Match =
  | { kind: 'found'; handler: Handler; params: Record<string, string> }
  | { kind: 'no-route' }
  | { kind: 'bad-method'; allow: string[] };

/** Segments are already URL-decoded. */
export function matchRoute(method: string, segments: string[]): Match {
  for (const r of ROUTES) {
    if (r.parts.length !== segments.length) continue;
    const params: Record<string, string> = {};
    let ok = true;
    for (let i = 0; i < r.parts.length && ok; i++) {
      const part = r.parts[i]!;
      if (part.startsWith(':')) params[part.slice(1)] = segments[i]!;
      else ok = part === segments[i];
    }
    if (!ok) continue;
    const handler = r.methods[method as Method];
    if (!handler) return { kind: 'bad-method', allow: Object.keys(r.methods) };
    return { kind: 'found', handler, params };
  }
  return { kind: 'no-route' };
}
