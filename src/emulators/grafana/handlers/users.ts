import { intField, objectBody, stringField } from '../bind.js';
import { fail, idParam, MSG, ok, pageOf, paging, success, type Handler } from '../context.js';
import { cmp, userHit, userProfile } from '../dto.js';

/** pkg/api/admin_users.go and pkg/api/user.go: global users (server admin only). */

/**
 * POST /api/admin/users {name, email, login, password, OrgId?}: login falls back to email; a taken
 * login or email is 412 (not 409). The new user joins OrgId or the auto-assign org with the
 * auto-assign role, or, with auto_assign_org off, a new org named after them as its Admin.
 */
export const createUser: Handler = (ctx) => {
  const body = objectBody(ctx.body);
  if (!body.ok) return body.reply;
  const fields = ['name', 'email', 'login', 'password'].map((f) => stringField(body.value, f, false));
  for (const f of fields) if (!f.ok) return f.reply;
  const [name, email, login, password] = fields.map((f) => (f.ok ? f.value : ''));
  const orgIdField = intField(body.value, 'OrgId', false);
  if (!orgIdField.ok) return orgIdField.reply;
  const formEmail = email!.trim();
  const formLogin = login!.trim();
  const effectiveLogin = formLogin || formEmail;
  if (!effectiveLogin) return fail(400, MSG.needLoginOrEmail);
  if (password!.length < 4) return fail(400, MSG.passwordTooShort);

  const { store, options: o } = ctx;
  let orgId: number;
  let role = o.autoAssignOrgRole as 'Viewer' | 'Editor' | 'Admin';
  if (o.autoAssignOrg && orgIdField.value !== 0) {
    if (!store.orgs.has(orgIdField.value)) return fail(400, MSG.orgNotFoundLower);
    orgId = orgIdField.value;
  } else if (o.autoAssignOrg) {
    if (!store.orgs.has(o.autoAssignOrgId)) return fail(500, 'failed to create user');
    orgId = o.autoAssignOrgId;
  } else {
    orgId = -1;
    role = 'Admin';
  }
  if (store.loginConflict(effectiveLogin, formEmail)) return fail(412, MSG.userExists(formEmail, formLogin));
  if (orgId === -1) orgId = store.createOrg(formEmail || effectiveLogin).id;
  const user = store.createUser({ login: effectiveLogin, email: formEmail, name: name! });
  store.passwords.set(user.id, password!);
  store.addOrgUser(orgId, user.id, role);
  return ok({ id: user.id, uid: user.uid, message: MSG.userCreated }, true);
};

export const deleteUser: Handler = (ctx) => {
  const id = idParam(ctx, 'id');
  if (typeof id !== 'number') return id;
  if (!ctx.store.users.has(id)) return fail(404, MSG.userNotFound);
  ctx.store.deleteUser(id);
  return success(MSG.userDeleted);
};

/**
 * GET /api/users/search?query&perpage&page: {totalCount, users, page, perPage}, by login.
 * GET /api/users takes the same parameters and answers only the users array.
 */
export const searchUsers =
  (withPaging: boolean): Handler =>
  (ctx) => {
    const { perPage, page } = paging(ctx.query);
    const q = (ctx.query.get('query') ?? '').toLowerCase();
    const all = [...ctx.store.users.values()]
      .filter((u) => !q || [u.login, u.email, u.name].some((f) => f.toLowerCase().includes(q)))
      .sort((a, b) => cmp(a.login, b.login) || cmp(a.email, b.email));
    const users = pageOf(all, perPage, page).map(userHit);
    return ok(withPaging ? { totalCount: all.length, users, page, perPage } : users);
  };

export const lookupUser: Handler = (ctx) => {
  const user = ctx.store.userByLoginOrEmail(ctx.query.get('loginOrEmail') ?? '');
  return user ? ok(userProfile(user)) : fail(404, MSG.userNotFound);
};

export const getUser: Handler = (ctx) => {
  const id = idParam(ctx, 'id');
  if (typeof id !== 'number') return id;
  const user = ctx.store.users.get(id);
  return user ? ok(userProfile(user)) : fail(404, MSG.userNotFound);
};
