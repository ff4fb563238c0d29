import type { Reply } from '../../index.js';
import { objectBody, roleField, stringField } from '../bind.js';
import { fail, idParam, MSG, ok, pageOf, paging, success, type Ctx, type Handler } from '../context.js';
import { orgDetails, orgUsers } from '../dto.js';

/** pkg/api/org_users.go: one helper per operation, used by /api/org/users and /api/orgs/:orgId/users alike. */

function orgIdOf(ctx: Ctx, scoped: boolean): number | Reply {
  return scoped ? idParam(ctx, 'orgId') : ctx.caller.orgId;
}

export const getCurrentOrg: Handler = (ctx) => {
  const org = ctx.store.orgs.get(ctx.caller.orgId);
  return org ? ok(orgDetails(org.id, org.name)) : fail(404, MSG.orgNotFound);
};

/** GET users: the whole list at once (no paging), sorted by login; the current-org route also takes `query` and `limit`. */
export const listOrgUsers =
  (scoped: boolean): Handler =>
  (ctx) => {
    const orgId = orgIdOf(ctx, scoped);
    if (typeof orgId !== 'number') return orgId;
    const all = orgUsers(ctx.store, orgId, scoped ? '' : (ctx.query.get('query') ?? ''));
    const limit = scoped ? 0 : Number(ctx.query.get('limit') ?? 0);
    return ok(Number.isInteger(limit) && limit > 0 ? all.slice(0, limit) : all);
  };

/** GET users/search: {totalCount, orgUsers, page, perPage}; perpage defaults to 1000. */
export const searchOrgUsers =
  (scoped: boolean): Handler =>
  (ctx) => {
    const orgId = orgIdOf(ctx, scoped);
    if (typeof orgId !== 'number') return orgId;
    const { perPage, page } = paging(ctx.query);
    const all = orgUsers(ctx.store, orgId, ctx.query.get('query') ?? '');
    return ok({ totalCount: all.length, orgUsers: pageOf(all, perPage, page), page, perPage });
  };

/** POST users {loginOrEmail, role}: role checked first, then the user, then membership (409 carries userId). */
export const addOrgUser =
  (scoped: boolean): Handler =>
  (ctx) => {
    // Grafana binds the body before it parses the path's orgId.
    const body = objectBody(ctx.body);
    if (!body.ok) return body.reply;
    const login = stringField(body.value, 'loginOrEmail', true);
    if (!login.ok) return login.reply;
    const role = roleField(body.value);
    if (!role.ok) return role.reply;
    const orgId = orgIdOf(ctx, scoped);
    if (typeof orgId !== 'number') return orgId;
    const user = ctx.store.userByLoginOrEmail(login.value);
    if (!user) return fail(404, MSG.userNotFoundTitle);
    const org = ctx.store.orgs.get(orgId);
    if (org?.users.has(user.id)) return fail(409, MSG.alreadyOrgMember, { userId: user.id });
    // The store checks membership before the org: an unknown org falls through to the generic 500.
    if (!org) return fail(500, MSG.couldNotAddToOrg);
    ctx.store.addOrgUser(orgId, user.id, role.value);
    return ok({ message: MSG.addedToOrg, userId: user.id }, true);
  };

/** PATCH users/:userId {role}: not a member is a 500 in Grafana (ErrOrgUserNotFound is not mapped). */
export const updateOrgUser =
  (scoped: boolean): Handler =>
  (ctx) => {
    // Body (with the role) is bound first, then orgId, then userId, as Grafana's handlers do.
    const body = objectBody(ctx.body);
    if (!body.ok) return body.reply;
    const role = roleField(body.value);
    if (!role.ok) return role.reply;
    const orgId = orgIdOf(ctx, scoped);
    if (typeof orgId !== 'number') return orgId;
    const userId = idParam(ctx, 'userId');
    if (typeof userId !== 'number') return userId;
    const org = ctx.store.orgs.get(orgId);
    const before = org?.users.get(userId);
    if (!org || before === undefined) return fail(500, MSG.failedUpdateOrgUser);
    org.users.set(userId, role.value);
    if (!ctx.store.hasAdmin(org)) {
      org.users.set(userId, before); // the transaction rolls back
      return fail(400, MSG.lastAdminDemote);
    }
    return success(MSG.orgUserUpdated, before !== role.value);
  };

/**
 * DELETE users/:userId. Through /api/org/users a user left in no org is deleted ("User deleted");
 * through /api/orgs/:orgId/users the user is kept. An unknown user is a 500; a user not in the org is
 * "removed" with nothing done.
 */
export const removeOrgUser =
  (scoped: boolean): Handler =>
  (ctx) => {
    const userId = idParam(ctx, 'userId');
    if (typeof userId !== 'number') return userId;
    const orgId = orgIdOf(ctx, scoped);
    if (typeof orgId !== 'number') return orgId;
    const { store } = ctx;
    if (!store.users.has(userId)) return fail(500, MSG.failedRemoveFromOrg);
    const org = store.orgs.get(orgId);
    if (!org?.users.has(userId)) return success(MSG.removedFromOrg, false);
    const role = org.users.get(userId)!;
    org.users.delete(userId);
    const adminLeft = store.hasAdmin(org);
    org.users.set(userId, role);
    if (!adminLeft) return fail(400, MSG.lastAdminRemove);
    store.removeOrgUser(orgId, userId);
    if (!scoped && store.userOrgIds(userId).length === 0) {
      store.deleteUser(userId);
      return success(MSG.userDeleted);
    }
    return success(MSG.removedFromOrg);
  };
