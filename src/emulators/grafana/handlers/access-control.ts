import { objectBody } from '../bind.js';
import { fail, MSG, ok, success, type Ctx, type Handler } from '../context.js';
import { avatarUrl } from '../dto.js';
import { LEVELS, type GrantRec, type GrantSubject, type Level } from '../resources.js';
import { grantsOf, validSubject, type Kind } from './permissions.js';

/**
 * pkg/services/accesscontrol/resourcepermissions/api.go for folders and dashboards: the managed
 * permissions of one resource. The GET lists them as resourcePermissionDTO, inherited ones marked,
 * with the unmanaged built-in Admin row last; a POST sets one user's, team's or built-in role's
 * level alone ("" removes it), or several at once. Every failure of a set is the same 400.
 */

/** What each level grants (a shortened list: what a level means is its name). */
const ACTIONS: Record<Kind, Record<Level, string[]>> = {
  dashboard: {
    View: ['dashboards:read'],
    Edit: ['dashboards:read', 'dashboards:write', 'dashboards:delete'],
    Admin: [
      'dashboards:read',
      'dashboards:write',
      'dashboards:delete',
      'dashboards.permissions:read',
      'dashboards.permissions:write',
    ],
  },
  folder: {
    View: ['folders:read', 'dashboards:read'],
    Edit: [
      'folders:read',
      'folders:write',
      'folders:delete',
      'dashboards:create',
      'dashboards:read',
      'dashboards:write',
    ],
    Admin: [
      'folders:read',
      'folders:write',
      'folders:delete',
      'folders.permissions:read',
      'folders.permissions:write',
      'dashboards:create',
      'dashboards:read',
      'dashboards:write',
      'dashboards.permissions:read',
      'dashboards.permissions:write',
    ],
  },
};

const isLevel = (p: string): p is Level => (LEVELS as readonly string[]).includes(p);

function roleName(s: GrantSubject): string {
  if (s.kind === 'user') return `managed:users:${s.id}:permissions`;
  if (s.kind === 'team') return `managed:teams:${s.id}:permissions`;
  return `managed:builtins:${s.id.toLowerCase()}:permissions`;
}

function row(ctx: Ctx, kind: Kind, g: GrantRec, inherited: boolean) {
  const s = g.subject;
  const user = s.kind === 'user' ? ctx.store.users.get(s.id) : undefined;
  const team = s.kind === 'team' ? ctx.store.teams.get(s.id) : undefined;
  return {
    id: g.id,
    roleName: roleName(s),
    isManaged: true,
    isInherited: inherited,
    ...(user
      ? { userId: user.id, userLogin: user.login, ...(user.email ? { userAvatarUrl: avatarUrl(user.email) } : {}) }
      : {}),
    ...(team ? { team: team.name, teamId: team.id, teamAvatarUrl: avatarUrl(team.email || team.name) } : {}),
    ...(s.kind === 'role' ? { builtInRole: s.id } : {}),
    actions: ACTIONS[kind][g.level],
    permission: g.level,
  };
}

/**
 * GET /api/access-control/{folders|dashboards}/:uid. An unknown uid fails while resolving the
 * folders it inherits from: 500.
 */
export const getPermissions =
  (kind: Kind): Handler =>
  (ctx) => {
    const res = ctx.store.resources.get(ctx.caller.orgId, ctx.params.uid ?? '', kind);
    if (!res) return fail(500, MSG.getPermissionsFailed);
    return ok([
      ...grantsOf(ctx, res).map(({ grant, inherited }) => row(ctx, kind, grant, inherited)),
      {
        id: 0,
        roleName: '',
        isManaged: false,
        isInherited: false,
        builtInRole: 'Admin',
        actions: ACTIONS[kind].Admin,
        permission: 'Admin',
      },
    ]);
  };

type Target = 'users' | 'teams' | 'builtInRoles';
const FAILED: Record<Target, string> = {
  users: 'failed to set user permission',
  teams: 'failed to set team permission',
  builtInRoles: 'failed to set role permission',
};

/** `{permission}` as web.Bind reads it: a string, or absent (""). */
function permissionOf(body: unknown): string | undefined {
  const obj = objectBody(body);
  if (!obj.ok) return undefined;
  const p = obj.value.permission;
  return p === undefined || p === null ? '' : typeof p === 'string' ? p : undefined;
}

/** POST .../:uid/{users|teams|builtInRoles}/:id {permission}: "Permission updated" or "Permission removed". */
export const setOnePermission =
  (kind: Kind, target: Target): Handler =>
  (ctx) => {
    const raw = ctx.params.subject ?? '';
    let subject: GrantSubject;
    if (target === 'builtInRoles') subject = { kind: 'role', id: raw };
    else if (!/^-?\d+$/.test(raw)) return fail(400, target === 'users' ? 'userID is invalid' : 'teamID is invalid');
    else subject = { kind: target === 'users' ? 'user' : 'team', id: Number(raw) };
    const permission = permissionOf(ctx.body);
    if (permission === undefined) return fail(400, MSG.badRequest);
    const res = ctx.store.resources.get(ctx.caller.orgId, ctx.params.uid ?? '', kind);
    if (!res || (permission !== '' && !isLevel(permission)) || !validSubject(ctx, subject))
      return fail(400, FAILED[target]);
    const changed = ctx.store.resources.setGrant(res, subject, permission as Level | '');
    return success(permission === '' ? MSG.permissionRemoved : MSG.permissionUpdated, changed);
  };

/**
 * POST .../:uid {permissions: [{userId?, teamId?, builtInRole?, permission}]}: sets the listed
 * subjects and leaves the others; one invalid entry refuses the whole batch (nothing applied).
 */
export const setPermissions =
  (kind: Kind): Handler =>
  (ctx) => {
    const obj = objectBody(ctx.body);
    if (!obj.ok) return obj.reply;
    const list = obj.value.permissions ?? [];
    if (!Array.isArray(list)) return fail(400, MSG.badRequest);
    const commands: Array<{ subject: GrantSubject; level: Level | '' }> = [];
    const res = ctx.store.resources.get(ctx.caller.orgId, ctx.params.uid ?? '', kind);
    let valid = res !== undefined;
    for (const raw of list) {
      const item = objectBody(raw ?? {});
      if (!item.ok) return fail(400, MSG.badRequest);
      const { userId, teamId, builtInRole } = item.value;
      const permission = permissionOf(item.value);
      if (permission === undefined) return fail(400, MSG.badRequest);
      const subject: GrantSubject | undefined =
        typeof userId === 'number' && userId !== 0
          ? { kind: 'user', id: userId }
          : typeof teamId === 'number' && teamId !== 0
            ? { kind: 'team', id: teamId }
            : typeof builtInRole === 'string'
              ? { kind: 'role', id: builtInRole }
              : undefined;
      if (!subject || !validSubject(ctx, subject) || (permission !== '' && !isLevel(permission))) valid = false;
      else commands.push({ subject, level: permission as Level | '' });
    }
    if (!valid || !res) return fail(400, 'failed to set permissions');
    let changed = false;
    for (const c of commands) changed = ctx.store.resources.setGrant(res, c.subject, c.level) || changed;
    return success(MSG.permissionsUpdated, changed);
  };
