import { collectionBody, pageSlice, permissionBody } from '../hal.js';
import { fail, json, MSG, type Ctx, type Handler } from '../context.js';
import type { PermissionRec, ResourceRec, Subject } from '../resources.js';
import { accessLevelOf, permissionSubject } from '../schemas.js';
import { notFoundMessage, resourceOf } from './resources.js';

function found(c: Ctx): { rec: ResourceRec; perm?: PermissionRec } | undefined {
  const rec = resourceOf(c);
  if (!rec) return undefined;
  const id = c.params.permissionId;
  if (id === undefined) return { rec };
  const perm = /^\d+$/.test(id) ? rec.permissions.get(Number(id)) : undefined;
  return perm ? { rec, perm } : { rec };
}

export const listPermissions: Handler = (c) => {
  const rec = resourceOf(c);
  if (!rec) return fail(404, notFoundMessage(c));
  const all = [...rec.permissions.values()];
  const slice = pageSlice(all.length, c.query.get('page'), c.options.pageSize);
  if (!slice.ok) return fail(404, MSG.invalidPage);
  const items = all.slice(slice.start, slice.end).map((p) => permissionBody(c.store, c.hrefs, rec, p));
  return json(
    200,
    collectionBody('permissions', c.hrefs.permissions(rec), all.length, c.options.pageSize, slice.page, items),
  );
};

/** Create (201) or, when the user or team already has one here, update (200). */
export const upsertPermission: Handler = (c) => {
  const rec = resourceOf(c);
  if (!rec) return fail(404, notFoundMessage(c));
  const subjectBody = permissionSubject.safeParse(c.body);
  const level = accessLevelOf(rec.kind).safeParse(c.body);
  if (!subjectBody.success || !level.success) return fail(400, MSG.permissionInvalid);
  const b = subjectBody.data;
  const subject: Subject =
    'user_id' in b && b.user_id !== undefined ? { kind: 'user', id: b.user_id } : { kind: 'team', id: b.team_id! };
  const exists = subject.kind === 'user' ? c.store.users.has(subject.id) : c.store.teams.has(subject.id);
  if (!exists) return fail(400, MSG.permissionInvalid);
  const already = [...rec.permissions.values()].some(
    (p) => p.subject.kind === subject.kind && p.subject.id === subject.id,
  );
  if (!already && rec.permissions.size >= c.options.maxPermissions)
    return fail(400, MSG.permissionCap(c.options.maxPermissions));
  const before = [...rec.permissions.values()].find(
    (p) => p.subject.kind === subject.kind && p.subject.id === subject.id,
  )?.accessLevel;
  const { perm, created } = c.resources.upsertPermission(rec, subject, level.data.access_level);
  const body = permissionBody(c.store, c.hrefs, rec, perm);
  // The log's `applied` says whether state changed: the same level again changes nothing.
  return created
    ? json(201, body, true, { location: c.hrefs.permission(rec, perm.id) })
    : json(200, body, before !== level.data.access_level);
};

export const getPermission: Handler = (c) => {
  const f = found(c);
  if (!f) return fail(404, notFoundMessage(c));
  if (!f.perm) return fail(404, MSG.permissionNotFound);
  return json(200, permissionBody(c.store, c.hrefs, f.rec, f.perm));
};

export const updatePermission: Handler = (c) => {
  const f = found(c);
  if (!f) return fail(404, notFoundMessage(c));
  if (!f.perm) return fail(404, MSG.permissionNotFound);
  const level = accessLevelOf(f.rec.kind).safeParse(c.body);
  if (!level.success) return fail(400, MSG.accessLevel);
  const changed = f.perm.accessLevel !== level.data.access_level;
  f.perm.accessLevel = level.data.access_level;
  return json(200, permissionBody(c.store, c.hrefs, f.rec, f.perm), changed);
};

export const deletePermission: Handler = (c) => {
  const f = found(c);
  if (!f) return fail(404, notFoundMessage(c));
  if (!f.perm) return fail(404, MSG.permissionNotFound);
  f.rec.permissions.delete(f.perm.id);
  return { status: 204, applied: true };
};
