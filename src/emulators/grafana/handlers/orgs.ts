import { objectBody, stringField } from '../bind.js';
import { fail, idParam, MSG, ok, pageOf, paging, type Handler } from '../context.js';
import { cmp, orgDetails } from '../dto.js';

/** pkg/api/org.go: the admin orgs API (server admin only). */

/** GET /api/orgs?query&perpage&page: a plain array of {id, name}, by name. */
export const searchOrgs: Handler = (ctx) => {
  const q = (ctx.query.get('query') ?? '').toLowerCase();
  const name = ctx.query.get('name');
  const { perPage, page } = paging(ctx.query);
  const all = [...ctx.store.orgs.values()]
    .filter((o) => (!q || o.name.toLowerCase().includes(q)) && (name === null || o.name === name))
    .sort((a, b) => cmp(a.name, b.name))
    .map((o) => ({ id: o.id, name: o.name }));
  return ok(pageOf(all, perPage, page));
};

export const getOrgById: Handler = (ctx) => {
  const id = idParam(ctx, 'orgId');
  if (typeof id !== 'number') return id;
  const org = ctx.store.orgs.get(id);
  return org ? ok(orgDetails(org.id, org.name)) : fail(404, MSG.orgNotFound);
};

export const getOrgByName: Handler = (ctx) => {
  const org = ctx.store.orgByName(ctx.params.name ?? '');
  return org ? ok(orgDetails(org.id, org.name)) : fail(404, MSG.orgNotFound);
};

/** POST /api/orgs {name}: the calling user becomes the new org's Admin (CreateWithMember). */
export const createOrg: Handler = (ctx) => {
  const body = objectBody(ctx.body);
  if (!body.ok) return body.reply;
  const name = stringField(body.value, 'name', true);
  if (!name.ok) return name.reply;
  if (ctx.store.orgByName(name.value)) return fail(409, MSG.orgNameTaken);
  const org = ctx.store.createOrg(name.value);
  if (ctx.caller.userId !== undefined) ctx.store.addOrgUser(org.id, ctx.caller.userId, 'Admin');
  return ok({ orgId: org.id, message: MSG.orgCreated }, true);
};
