import { teamBody } from '../hal.js';
import { fail, json, MSG, type Handler } from '../context.js';
import { memberRef } from '../schemas.js';
import { teamOf } from './teams.js';

/** PATCH /teams/{teamId}/users {id} | {email}: add an existing user. */
export const addMember: Handler = (c) => {
  const team = teamOf(c);
  if (!team) return fail(404, MSG.teamNotFound);
  if (team.kind === 'dashboard') return fail(405, MSG.dashboardAdd);
  const ref = memberRef.safeParse(c.body);
  if (!ref.success) return fail(400, MSG.memberRef);
  const user = 'id' in ref.data ? c.store.users.get(ref.data.id) : c.store.userByEmail(ref.data.email);
  if (!user) return fail(404, MSG.userNotFound);
  // Only reachable when the org is already over its cap (e.g. the cap was lowered): adding never creates a user.
  if (c.store.users.size > c.options.maxUsers) return fail(403, MSG.userCap(c.options.maxUsers));
  if (team.members.has(user.id)) return fail(409, MSG.alreadyMember);
  c.store.addMember(team.id, user.id);
  return json(200, teamBody(c.store, c.hrefs, team), true);
};

/** DELETE /teams/{teamId}/users/{userId|email}: a user keeps at least one team; Owners keeps one member. */
export const removeMember: Handler = (c) => {
  const team = teamOf(c);
  if (!team) return fail(404, MSG.teamNotFound);
  const user = c.store.userByRef(c.params.userId!);
  if (!user || !team.members.has(user.id)) return fail(404, MSG.notMember);
  if (team.kind === 'owners' && team.members.size === 1) return fail(400, MSG.lastOwner);
  if (user.teams.size === 1) return fail(400, MSG.onlyTeam);
  c.store.removeMember(team.id, user.id);
  return { status: 204, applied: true };
};
