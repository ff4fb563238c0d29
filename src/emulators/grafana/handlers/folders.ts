import { objectBody, stringField } from '../bind.js';
import { fail, MSG, ok, pageOf, paging, type Ctx, type Handler } from '../context.js';
import { cmp } from '../dto.js';
import { slugOf, type ResourceRec } from '../resources.js';

/**
 * pkg/api/folder.go, dashboard.go and search.go: folders (nested under parentUid), dashboards and
 * the search over both, in the caller's org. Readers see everything in their org (the emulator
 * does not filter by each user's own grants).
 */

export const folderUrl = (f: ResourceRec) => `/dashboards/f/${f.uid}/${slugOf(f.title)}`;
export const dashboardUrl = (d: ResourceRec) => `/d/${d.uid}/${slugOf(d.title)}`;
export const resourceUrl = (r: ResourceRec) => (r.kind === 'folder' ? folderUrl(r) : dashboardUrl(r));

/** apierrors.ToFolderErrorResponse's 404 body. */
export const folderNotFound = () => fail(404, MSG.folderNotFound, { status: 'not-found' });

/** dtos.Folder fields. */
function folderDto(f: ResourceRec) {
  return {
    id: f.id,
    uid: f.uid,
    orgId: f.orgId,
    title: f.title,
    url: folderUrl(f),
    hasAcl: false,
    canSave: true,
    canEdit: true,
    canAdmin: true,
    canDelete: true,
    createdBy: f.createdBy,
    created: f.created,
    updatedBy: f.createdBy,
    updated: f.updated,
    version: f.version,
    ...(f.folderUid ? { parentUid: f.folderUid } : {}),
  };
}

/** Grafana's uid check (dashboards.ErrDashboardInvalidUid / ErrDashboardUidTooLong), or undefined. */
function badUid(uid: string) {
  if (!/^[a-zA-Z0-9\-_]*$/.test(uid)) return fail(400, MSG.uidIllegal);
  if (uid.length > 40) return fail(400, MSG.uidTooLong);
  return undefined;
}

/** The caller's login for createdBy (a service account's calls have no user here). */
const creatorOf = (ctx: Ctx) =>
  ctx.caller.userId === undefined ? 'Anonymous' : (ctx.store.users.get(ctx.caller.userId)?.login ?? 'Anonymous');

/**
 * Grafana's default permissions on creation: the creating user gets Admin; a resource at the root
 * (not inside a folder) also gets Editor Edit and Viewer View (one inside a folder inherits instead).
 */
function defaultGrants(ctx: Ctx, res: ResourceRec): void {
  const r = ctx.store.resources;
  if (ctx.caller.kind === 'user' && ctx.caller.userId !== undefined)
    r.setGrant(res, { kind: 'user', id: ctx.caller.userId }, 'Admin');
  if (!res.folderUid) {
    r.setGrant(res, { kind: 'role', id: 'Editor' }, 'Edit');
    r.setGrant(res, { kind: 'role', id: 'Viewer' }, 'View');
  }
}

/** POST /api/folders {uid?, title, parentUid?}: 200 with the folder. */
export const createFolder: Handler = (ctx) => {
  const body = objectBody(ctx.body);
  if (!body.ok) return body.reply;
  const fields = ['uid', 'title', 'parentUid', 'description'].map((f) => stringField(body.value, f, false));
  for (const f of fields) if (!f.ok) return f.reply;
  const [uid, title, parentUid] = fields.map((f) => (f.ok ? f.value.trim() : ''));
  if (!title) return fail(400, MSG.folderTitleEmpty);
  const invalid = badUid(uid!);
  if (invalid) return invalid;
  const { resources } = ctx.store;
  const orgId = ctx.caller.orgId;
  if (parentUid && !resources.get(orgId, parentUid, 'folder')) return folderNotFound();
  if (uid && resources.get(orgId, uid)) return fail(409, MSG.uidTaken);
  const folder = resources.create({
    kind: 'folder',
    uid: uid || resources.newUid(),
    orgId,
    title: title!,
    folderUid: parentUid!,
    createdBy: creatorOf(ctx),
  });
  defaultGrants(ctx, folder);
  return ok(folderDto(folder), true);
};

export const getFolder: Handler = (ctx) => {
  const folder = ctx.store.resources.get(ctx.caller.orgId, ctx.params.uid ?? '', 'folder');
  return folder ? ok(folderDto(folder)) : folderNotFound();
};

/** GET /api/folders?limit&page&parentUid: one level of folders, [{id, uid, title}], by title. */
export const listFolders: Handler = (ctx) => {
  const { perPage: limit, page } = paging(ctx.query, 'limit');
  const parent = ctx.query.get('parentUid') ?? '';
  const all = byTitle(ctx.store.resources.of(ctx.caller.orgId, 'folder').filter((f) => f.folderUid === parent));
  return ok(
    pageOf(all, limit, page).map((f) => ({
      id: f.id,
      uid: f.uid,
      title: f.title,
      ...(f.folderUid ? { parentUid: f.folderUid } : {}),
    })),
  );
};

/**
 * POST /api/dashboards/db {dashboard: {uid?, title, version?}, folderUid?, overwrite?}: creates, or
 * replaces the dashboard of that uid (with overwrite, or the stored version). Titles may repeat (11.x
 * dropped the same-name check). Answers {id, uid, url, status, version, slug, folderUid?}.
 */
export const saveDashboard: Handler = (ctx) => {
  const body = objectBody(ctx.body);
  if (!body.ok) return body.reply;
  const dash = objectBody(body.value.dashboard ?? {});
  if (!dash.ok) return dash.reply;
  const fields = [stringField(dash.value, 'uid', false), stringField(dash.value, 'title', false)];
  const folderField = stringField(body.value, 'folderUid', false);
  for (const f of [...fields, folderField]) if (!f.ok) return f.reply;
  const [uid, title] = fields.map((f) => (f.ok ? f.value.trim() : ''));
  const folderUid = folderField.ok ? folderField.value : '';
  const overwrite = body.value.overwrite === true;
  if (!title) return fail(400, MSG.dashboardTitleEmpty, { status: 'empty-name' });
  const invalid = badUid(uid!);
  if (invalid) return invalid;
  const { resources } = ctx.store;
  const orgId = ctx.caller.orgId;
  if (folderUid && !resources.get(orgId, folderUid, 'folder')) return fail(400, MSG.dashboardFolderNotFound);
  const existing = uid ? resources.get(orgId, uid) : undefined;
  if (existing?.kind === 'folder') return fail(400, MSG.dashboardTypeMismatch);
  // Without overwrite, the dashboard's version must be the stored one.
  if (existing && !overwrite && dash.value.version !== existing.version)
    return fail(412, MSG.dashboardChanged, { status: 'version-mismatch' });
  let saved: ResourceRec;
  if (existing) {
    existing.title = title!;
    existing.folderUid = folderUid;
    existing.version += 1;
    saved = existing;
  } else {
    saved = resources.create({
      kind: 'dashboard',
      uid: uid || resources.newUid(),
      orgId,
      title: title!,
      folderUid,
      createdBy: creatorOf(ctx),
    });
    defaultGrants(ctx, saved);
  }
  return ok(
    {
      id: saved.id,
      uid: saved.uid,
      url: dashboardUrl(saved),
      status: 'success',
      version: saved.version,
      slug: slugOf(saved.title),
      ...(saved.folderUid ? { folderUid: saved.folderUid } : {}),
    },
    true,
  );
};

/** GET /api/dashboards/uid/:uid: {dashboard, meta}; 404 "Dashboard not found". */
export const getDashboard: Handler = (ctx) => {
  const { resources } = ctx.store;
  const d = resources.get(ctx.caller.orgId, ctx.params.uid ?? '', 'dashboard');
  if (!d) return fail(404, MSG.dashboardNotFound);
  const folder = d.folderUid ? resources.get(d.orgId, d.folderUid, 'folder') : undefined;
  return ok({
    dashboard: { id: d.id, uid: d.uid, title: d.title, version: d.version },
    meta: {
      type: 'db',
      slug: slugOf(d.title),
      url: dashboardUrl(d),
      isFolder: false,
      canSave: true,
      canEdit: true,
      canAdmin: true,
      created: d.created,
      updated: d.updated,
      createdBy: d.createdBy,
      version: d.version,
      hasAcl: false,
      provisioned: false,
      folderId: folder?.id ?? 0,
      folderUid: folder?.uid ?? '',
      folderTitle: folder?.title ?? 'General',
      folderUrl: folder ? folderUrl(folder) : '',
    },
  });
};

/**
 * GET /api/search?type=dash-folder|dash-db&query&limit&page: hits by title; limit above 5000 is a
 * 422, under 1 means 1000. Items in a folder carry folderId, folderUid, folderTitle and folderUrl.
 */
export const search: Handler = (ctx) => {
  const raw = Number(ctx.query.get('limit') ?? '0');
  if (raw > 5000) return fail(422, MSG.searchLimit);
  const { perPage: limit, page } = paging(ctx.query, 'limit');
  const type = ctx.query.get('type') ?? '';
  const q = (ctx.query.get('query') ?? '').toLowerCase();
  const { resources } = ctx.store;
  const kind = type === 'dash-folder' ? 'folder' : type === 'dash-db' ? 'dashboard' : undefined;
  const all = byTitle(resources.of(ctx.caller.orgId, kind).filter((r) => !q || r.title.toLowerCase().includes(q)));
  return ok(
    pageOf(all, limit, page).map((r) => {
      const folder = r.folderUid ? resources.get(r.orgId, r.folderUid, 'folder') : undefined;
      return {
        id: r.id,
        uid: r.uid,
        orgId: r.orgId,
        title: r.title,
        uri: `db/${slugOf(r.title)}`,
        url: resourceUrl(r),
        slug: slugOf(r.title),
        type: r.kind === 'folder' ? 'dash-folder' : 'dash-db',
        tags: [],
        isStarred: false,
        ...(folder
          ? { folderId: folder.id, folderUid: folder.uid, folderTitle: folder.title, folderUrl: folderUrl(folder) }
          : {}),
        sortMeta: 0,
      };
    }),
  );
};

const byTitle = (rs: ResourceRec[]) =>
  rs.sort((a, b) => cmp(a.title.toLowerCase(), b.title.toLowerCase()) || cmp(a.uid, b.uid));
