import { objectBody, stringField } from '../bind.js';
import { fail, idParam, MSG, ok, pageOf, paging, success, type Handler } from '../context.js';
import { cmp, teamDto } from '../dto.js';

/** pkg/api/team.go (pkg/services/team/teamapi in 11.x): teams of the caller's org. */

/** GET /api/teams/search?query&name&perpage&page: {totalCount, teams, page, perPage}, by name. */
export const searchTeams: Handler = (ctx) => {
  const { perPage, page } = paging(ctx.query);
  const q = (ctx.query.get('query') ?? '').toLowerCase();
  const name = ctx.query.get('name') ?? '';
  const all = ctx.store
    .teamsOf(ctx.caller.orgId)
    .filter((t) => (!q || t.name.toLowerCase().includes(q)) && (!name || t.name === name))
    .sort((a, b) => cmp(a.name, b.name));
  return ok({
    totalCount: all.length,
    teams: pageOf(all, perPage, page).map((t) => teamDto(t, ctx.caller.userId)),
    page,
    perPage,
  });
};

export const getTeam: Handler = (ctx) => {
  const id = idParam(ctx, 'teamId');
  if (typeof id !== 'number') return id;
  const team = ctx.store.teamInOrg(ctx.caller.orgId, id);
  return team ? ok(teamDto(team, ctx.caller.userId)) : fail(404, MSG.teamNotFound);
};

/**
 * POST /api/teams {name, email?}: 409 for a taken name. A user (not a token) who creates a team is
 * added to it as team Admin, as Grafana does for real users.
 */
export const createTeam: Handler = (ctx) => {
  const body = objectBody(ctx.body);
  if (!body.ok) return body.reply;
  const name = stringField(body.value, 'name', true);
  if (!name.ok) return name.reply;
  const email = stringField(body.value, 'email', false);
  if (!email.ok) return email.reply;
  const orgId = ctx.caller.orgId;
  if (ctx.store.teamNameTaken(orgId, name.value)) return fail(409, MSG.teamNameTaken);
  const team = ctx.store.createTeam(orgId, name.value, email.value);
  if (ctx.caller.kind === 'user' && ctx.caller.userId !== undefined) team.members.set(ctx.caller.userId, 4);
  return ok({ teamId: team.id, uid: team.uid, message: MSG.teamCreated }, true);
};

/** PUT /api/teams/:teamId {name, email?}: a taken name is 400 here (409 on create); an unknown id is a 500. */
export const updateTeam: Handler = (ctx) => {
  const body = objectBody(ctx.body);
  if (!body.ok) return body.reply;
  const id = idParam(ctx, 'teamId');
  if (typeof id !== 'number') return id;
  const name = stringField(body.value, 'name', true);
  if (!name.ok) return name.reply;
  const email = stringField(body.value, 'email', false);
  if (!email.ok) return email.reply;
  const orgId = ctx.caller.orgId;
  if (ctx.store.teamNameTaken(orgId, name.value, id)) return fail(400, MSG.teamNameTaken);
  const team = ctx.store.teamInOrg(orgId, id);
  if (!team) return fail(500, MSG.failedUpdateTeam);
  const changed = team.name !== name.value || team.email !== email.value;
  team.name = name.value;
  team.email = email.value;
  return success(MSG.teamUpdated, changed);
};

export const deleteTeam: Handler = (ctx) => {
  const id = idParam(ctx, 'teamId');
  if (typeof id !== 'number') return id;
  if (!ctx.store.teamInOrg(ctx.caller.orgId, id)) return fail(404, MSG.teamDeleteNotFound);
  ctx.store.deleteTeam(id);
  return success(MSG.teamDeleted);
};
