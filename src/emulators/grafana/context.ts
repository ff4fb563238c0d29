import type { Reply } from '../index.js';
import type { GrafanaStore } from './store.js';
import type { OrgRole, ResolvedGrafanaOptions } from './types.js';

/** Who is calling: a Basic-auth user (maybe a server admin) or a service-account token. */
export interface Caller {
  kind: 'user' | 'token';
  /** The Basic-auth user; undefined for tokens. */
  userId: number | undefined;
  /** The org the call acts in: the token's org, X-Grafana-Org-Id, or the user's current org. */
  orgId: number;
  /** The caller's role in that org; undefined when a user is not a member (Grafana's "Org missing"). */
  role: OrgRole | undefined;
  isServerAdmin: boolean;
}

export interface Ctx {
  store: GrafanaStore;
  options: ResolvedGrafanaOptions;
  caller: Caller;
  params: Record<string, string>;
  query: URLSearchParams;
  /** Parsed JSON body (undefined when empty). */
  body: unknown;
}

export type Handler = (ctx: Ctx) => Reply;

/** Grafana's response.Error shape: {"message": ...}. */
export const fail = (status: number, message: string, extra?: Record<string, unknown>): Reply => ({
  status,
  body: { message, ...extra },
});
export const ok = (body: unknown, applied = false): Reply => ({ status: 200, body, applied });
export const success = (message: string, applied = true): Reply => ({ status: 200, body: { message }, applied });

/**
 * Grafana's own messages (pkg/api/*.go, pkg/services/{org,team,user}), so clients can match them.
 * Where a message comes from a Go error's Error(), it keeps Go's lower case.
 */
export const MSG = {
  notFound: 'Not found',
  unauthorized: 'Unauthorized',
  badRequest: 'bad request data',
  invalidRole: 'Invalid role specified',
  userNotFoundTitle: 'User not found',
  userNotFound: 'user not found',
  alreadyOrgMember: 'User is already member of this organization',
  addedToOrg: 'User added to organization',
  couldNotAddToOrg: 'Could not add user to organization',
  orgUserUpdated: 'Organization user updated',
  failedUpdateOrgUser: 'Failed update org user',
  lastAdminDemote: 'Cannot change role so that there is no organization admin left',
  lastAdminRemove: 'Cannot remove last organization admin',
  removedFromOrg: 'User removed from organization',
  failedRemoveFromOrg: 'Failed to remove user from organization',
  userDeleted: 'User deleted',
  orgNotFound: 'Organization not found',
  orgNameTaken: 'Organization name taken',
  orgCreated: 'Organization created',
  teamNameTaken: 'Team name taken',
  teamCreated: 'Team created',
  teamUpdated: 'Team updated',
  failedUpdateTeam: 'Failed to update Team',
  teamDeleted: 'Team deleted',
  teamDeleteNotFound: 'Failed to delete Team. ID not found',
  teamNotFound: 'Team not found',
  alreadyTeamMember: 'User is already added to this team',
  memberAdded: 'Member added to Team',
  failedAddMember: 'Failed to add Member to Team',
  memberRemoved: 'Team Member removed',
  teamMemberNotFound: 'Team member not found',
  failedRemoveMember: 'Failed to remove Member from Team',
  membershipsUpdated: 'Team memberships have been updated',
  teamNotFoundLower: 'team not found',
  needLoginOrEmail: 'Validation error, need specify either username or email',
  passwordTooShort: 'Password is missing or too short',
  userCreated: 'User created',
  orgNotFoundLower: 'organization not found',
  folderNotFound: 'folder not found',
  folderTitleEmpty: 'folder title cannot be empty',
  uidTaken: 'a folder/dashboard with the same uid already exists',
  uidIllegal: 'uid contains illegal characters',
  uidTooLong: 'uid too long, max 40 characters',
  dashboardNotFound: 'Dashboard not found',
  dashboardTitleEmpty: 'Dashboard title cannot be empty',
  dashboardFolderNotFound: 'Folder not found',
  dashboardTypeMismatch: 'Dashboard cannot be changed to a folder',
  dashboardChanged: 'The dashboard has been changed by someone else',
  searchLimit: 'Limit is above maximum allowed (5000), use page parameter to access hits beyond limit',
  folderPermissionsUpdated: 'Folder permissions updated',
  dashboardPermissionsUpdated: 'Dashboard permissions updated',
  folderPermissionsFailed: 'Failed to create permission',
  dashboardPermissionsFailed: 'Failed to update permissions',
  // dashboardaccess's two validation errors carry each other's message.
  userAndTeam: 'team and user permissions cannot have an associated role',
  subjectWithRole: 'permissions cannot have both a user and team',
  getPermissionsFailed: 'failed to get permissions',
  permissionUpdated: 'Permission updated',
  permissionRemoved: 'Permission removed',
  permissionsUpdated: 'Permissions updated',
  userExists: (email: string, login: string) => `User with email '${email}' or username '${login}' already exists`,
  needPermission: (action: string) =>
    `You'll need additional permissions to perform this action. Permissions needed: ${action}`,
} as const;

/** Path ids: Grafana parses them with ParseInt and answers "<name> is invalid" otherwise. */
export function idParam(ctx: Ctx, name: string): number | Reply {
  const raw = ctx.params[name] ?? '';
  return /^-?\d+$/.test(raw) ? Number(raw) : fail(400, `${name} is invalid`);
}

/**
 * A page size <= 0 means 1000 and page < 1 means 1, as Grafana's search handlers do. The size is
 * `perpage` on the user, org and team searches, `limit` on folders and /api/search.
 */
export function paging(
  query: URLSearchParams,
  size: 'perpage' | 'limit' = 'perpage',
): { perPage: number; page: number } {
  const int = (v: string | null) => (v !== null && /^-?\d+$/.test(v) ? Number(v) : 0);
  const perPage = int(query.get(size));
  const page = int(query.get('page'));
  return { perPage: perPage <= 0 ? 1000 : perPage, page: page < 1 ? 1 : page };
}

export const pageOf = <T>(items: T[], perPage: number, page: number): T[] =>
  items.slice((page - 1) * perPage, page * perPage);
