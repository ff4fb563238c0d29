import type { Reply } from '../../index.js';
import type { Bound } from '../bind.js';
import { objectBody, roleField } from '../bind.js';
import { fail, MSG, ok, success, type Ctx, type Handler } from '../context.js';
import { avatarUrl } from '../dto.js';
import {
  LEVEL_NUMBER,
  levelOfNumber,
  slugOf,
  type GrantRec,
  type GrantSubject,
  type Level,
  type ResourceRec,
} from '../resources.js';
import { folderNotFound, resourceUrl } from './folders.js';

/**
 * The legacy permission lists, pkg/api/folder_permission.go and dashboard_permission.go, as Grafana
 * 10/11 serve them on top of access control: the GET lists every managed grant (a dashboard's
 * folder grants included, marked not inherited) as DashboardACLInfoDTO; the POST replaces the
 * whole list: it sets every item, and removes every listed grant no item names.
 */

export type Kind = ResourceRec['kind'];

/** The resource named by `:uid`, or the 404 its API answers. */
export function resourceOf(ctx: Ctx, kind: Kind): ResourceRec | Reply {
  const res = ctx.store.resources.get(ctx.caller.orgId, ctx.params.uid ?? '', kind);
  if (res) return res;
  return kind === 'folder' ? folderNotFound() : fail(404, MSG.dashboardNotFound);
}

/** The resource's own grants, then those it inherits from its folders (nearest first). */
export function grantsOf(ctx: Ctx, res: ResourceRec): Array<{ grant: GrantRec; inherited: boolean }> {
  return [
    ...res.grants.map((grant) => ({ grant, inherited: false })),
    ...ctx.store.resources.ancestors(res).flatMap((f) => f.grants.map((grant) => ({ grant, inherited: true }))),
  ];
}

/** resourcepermissions' subject checks: the user exists, the team is in the org, the role is built in. */
export function validSubject(ctx: Ctx, s: GrantSubject): boolean {
  if (s.kind === 'user') return ctx.store.users.has(s.id);
  if (s.kind === 'team') return ctx.store.teamInOrg(ctx.caller.orgId, s.id) !== undefined;
  return ['Viewer', 'Editor', 'Admin', 'Grafana Admin'].includes(s.id);
}

function aclRow(ctx: Ctx, res: ResourceRec, g: GrantRec) {
  const user = g.subject.kind === 'user' ? ctx.store.users.get(g.subject.id) : undefined;
  const team = g.subject.kind === 'team' ? ctx.store.teams.get(g.subject.id) : undefined;
  const folder = res.folderUid ? ctx.store.resources.get(res.orgId, res.folderUid, 'folder') : undefined;
  const n = LEVEL_NUMBER[g.level];
  // A folder's row carries its own id as folderId and its parent as folderUid; a dashboard's its
  // own id as dashboardId and its folder's id; user and team uids only on folder rows.
  const place =
    res.kind === 'folder'
      ? { folderId: res.id, ...(res.folderUid ? { folderUid: res.folderUid } : {}) }
      : { dashboardId: res.id, ...(folder ? { folderId: folder.id } : {}) };
  return {
    ...place,
    created: g.created,
    updated: g.updated,
    userId: user?.id ?? 0,
    userUid: res.kind === 'folder' ? (user?.uid ?? '') : '',
    userLogin: user?.login ?? '',
    userEmail: user?.email ?? '',
    userAvatarUrl: user?.email ? avatarUrl(user.email) : '',
    teamId: team?.id ?? 0,
    teamUid: res.kind === 'folder' ? (team?.uid ?? '') : '',
    teamEmail: team?.email ?? '',
    teamAvatarUrl: team ? avatarUrl(team.email || team.name) : '',
    team: team?.name ?? '',
    ...(g.subject.kind === 'role' ? { role: g.subject.id } : {}),
    permission: n,
    permissionName: g.level,
    uid: res.uid,
    title: res.title,
    slug: res.kind === 'folder' ? '' : slugOf(res.title),
    isFolder: res.kind === 'folder',
    url: resourceUrl(res),
    inherited: false,
  };
}

export const getLegacyPermissions =
  (kind: Kind): Handler =>
  (ctx) => {
    const res = resourceOf(ctx, kind);
    if ('status' in res) return res;
    return ok(grantsOf(ctx, res).map(({ grant }) => aclRow(ctx, res, grant)));
  };

interface LegacyItem {
  subject: GrantSubject | undefined;
  level: Level | '';
}

/** dtos.UpdateDashboardACLCommand: {items: [{userId, teamId, role, permission}]}, bound as Go does. */
function legacyItems(
  body: unknown,
): Bound<Array<{ userId: number; teamId: number; role?: string; permission: number }>> {
  const bad = { ok: false as const, reply: fail(400, MSG.badRequest) };
  const obj = objectBody(body);
  if (!obj.ok) return obj;
  const items = obj.value.items ?? [];
  if (!Array.isArray(items)) return bad;
  const out = [];
  const int = (v: unknown) => (v === undefined || v === null ? 0 : Number.isInteger(v) ? (v as number) : NaN);
  for (const raw of items) {
    const item = objectBody(raw ?? {});
    if (!item.ok) return bad;
    const [userId, teamId, permission] = ['userId', 'teamId', 'permission'].map((k) => int(item.value[k]));
    if ([userId, teamId, permission].some((n) => Number.isNaN(n))) return bad;
    let role: string | undefined;
    if (item.value.role !== undefined && item.value.role !== null) {
      const r = roleField(item.value);
      if (!r.ok) return r;
      role = r.value;
    }
    out.push({ userId: userId!, teamId: teamId!, permission: permission!, ...(role ? { role } : {}) });
  }
  return { ok: true, value: out };
}

/**
 * POST .../permissions {items}: the whole list. A permission other than 1, 2 or 4 removes the
 * entry; an unknown user or team (or an item naming nobody) fails the whole call as a 500 and
 * nothing changes; duplicates are applied in order (the last wins); a role of Admin is accepted.
 */
export const setLegacyPermissions =
  (kind: Kind): Handler =>
  (ctx) => {
    const parsed = legacyItems(ctx.body);
    if (!parsed.ok) return parsed.reply;
    for (const i of parsed.value) {
      if (i.userId > 0 && i.teamId > 0) return fail(400, MSG.userAndTeam);
      if ((i.userId > 0 || i.teamId > 0) && i.role !== undefined) return fail(400, MSG.subjectWithRole);
    }
    const res = resourceOf(ctx, kind);
    if ('status' in res) return res;
    const commands: LegacyItem[] = parsed.value.map((i) => ({
      subject:
        i.userId !== 0
          ? { kind: 'user', id: i.userId }
          : i.teamId !== 0
            ? { kind: 'team', id: i.teamId }
            : i.role !== undefined
              ? { kind: 'role', id: i.role }
              : undefined,
      level: levelOfNumber(i.permission) ?? '',
    }));
    // Every row the GET lists (inherited ones included) that no item names is removed from the resource.
    for (const { grant } of grantsOf(ctx, res)) {
      const s = grant.subject;
      const named = parsed.value.some(
        (i) =>
          (s.kind === 'user' && i.userId !== 0 && i.userId === s.id) ||
          (s.kind === 'team' && i.teamId !== 0 && i.teamId === s.id) ||
          (s.kind === 'role' && i.role === s.id),
      );
      if (!named) commands.push({ subject: s, level: '' });
    }
    const failed = kind === 'folder' ? MSG.folderPermissionsFailed : MSG.dashboardPermissionsFailed;
    if (commands.some((c) => c.subject === undefined || !validSubject(ctx, c.subject))) return fail(500, failed);
    let changed = false;
    for (const c of commands) changed = ctx.store.resources.setGrant(res, c.subject!, c.level) || changed;
    return success(kind === 'folder' ? MSG.folderPermissionsUpdated : MSG.dashboardPermissionsUpdated, changed);
  };
