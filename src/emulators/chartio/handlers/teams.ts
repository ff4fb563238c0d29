import { collectionBody, pageSlice, teamBody } from '../hal.js';
import { fail, json, MSG, type Ctx, type Handler } from '../context.js';
import { teamName } from '../schemas.js';
import { DASHBOARD_TEAM_NAME, nameKey, type TeamRec } from '../store.js';

/** `owners` is an alias of the Owners team; otherwise an integer id. */
export function teamOf(c: Ctx): TeamRec | undefined {
  const ref = c.params.teamId!;
  if (ref === 'owners') return c.store.teams.get(c.store.ownersTeamId);
  return /^\d+$/.test(ref) ? c.store.teams.get(Number(ref)) : undefined;
}

/** The two special names stay reserved even while "Added from Dashboard" does not exist yet. */
function nameTaken(c: Ctx, name: string, self?: TeamRec): boolean {
  const other = c.store.teamByName(name);
  if (other) return other !== self;
  return nameKey(name) === nameKey(DASHBOARD_TEAM_NAME);
}

export const listTeams: Handler = (c) => {
  const order = c.store.teamOrder;
  const slice = pageSlice(order.length, c.query.get('page'), c.options.pageSize);
  if (!slice.ok) return fail(404, MSG.invalidPage);
  const items = [];
  for (let i = slice.start; i < slice.end; i++) items.push(teamBody(c.store, c.hrefs, c.store.teams.get(order[i]!)!));
  return json(200, collectionBody('teams', c.hrefs.teams(), order.length, c.options.pageSize, slice.page, items));
};

export const createTeam: Handler = (c) => {
  const body = teamName.safeParse(c.body);
  if (!body.success) return fail(400, MSG.teamName);
  if (nameTaken(c, body.data.name)) return fail(409, MSG.teamExists);
  if (c.store.teams.size >= c.options.maxTeams) return fail(403, MSG.teamCap(c.options.maxTeams));
  const team = c.store.createTeam(body.data.name);
  return json(201, teamBody(c.store, c.hrefs, team), true, { location: c.hrefs.team(team.id) });
};

export const getTeam: Handler = (c) => {
  const team = teamOf(c);
  if (!team) return fail(404, MSG.teamNotFound);
  return json(200, teamBody(c.store, c.hrefs, team));
};

export const renameTeam: Handler = (c) => {
  const team = teamOf(c);
  if (!team) return fail(404, MSG.teamNotFound);
  if (team.kind !== 'regular') return fail(405, MSG.teamModify);
  const body = teamName.safeParse(c.body);
  if (!body.success) return fail(400, MSG.teamName);
  if (nameTaken(c, body.data.name, team)) return fail(409, MSG.teamExists);
  const changed = team.name !== body.data.name;
  if (changed) c.store.renameTeam(team.id, body.data.name);
  return json(200, teamBody(c.store, c.hrefs, team), changed);
};

/** Deletes the team, not its members (who may be left with no team, as in the app). */
export const deleteTeam: Handler = (c) => {
  const team = teamOf(c);
  if (!team) return fail(404, MSG.teamNotFound);
  if (team.kind !== 'regular') return fail(405, MSG.teamDelete);
  c.store.deleteTeam(team.id);
  c.resources.dropSubject({ kind: 'team', id: team.id });
  return { status: 204, applied: true };
};
