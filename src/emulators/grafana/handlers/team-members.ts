import { intField, objectBody, stringList } from '../bind.js';
import { fail, idParam, MSG, ok, success, type Handler } from '../context.js';
import { teamMemberDto } from '../dto.js';
import type { TeamPermission } from '../store.js';

/** pkg/api/team_members.go (teamapi in 11.x). Membership goes through team permissions, hence the quirks. */

/** GET: an unknown team is an empty list, not a 404 (the query just finds no rows). */
export const listTeamMembers: Handler = (ctx) => {
  const id = idParam(ctx, 'teamId');
  if (typeof id !== 'number') return id;
  const team = ctx.store.teamInOrg(ctx.caller.orgId, id);
  return ok(team ? [...team.members.keys()].map((userId) => teamMemberDto(ctx.store, team, userId)) : []);
};

/**
 * POST {userId}: already a member is 400. Grafana only checks that the user exists, not that it
 * belongs to the org, so a user of another org is added; an unknown user or team fails as a 500.
 */
export const addTeamMember: Handler = (ctx) => {
  const body = objectBody(ctx.body);
  if (!body.ok) return body.reply;
  const userId = intField(body.value, 'userId', true);
  if (!userId.ok) return userId.reply;
  const id = idParam(ctx, 'teamId');
  if (typeof id !== 'number') return id;
  const team = ctx.store.teamInOrg(ctx.caller.orgId, id);
  if (team?.members.has(userId.value)) return fail(400, MSG.alreadyTeamMember);
  if (!team || !ctx.store.users.has(userId.value)) return fail(500, MSG.failedAddMember);
  team.members.set(userId.value, 0);
  return ok({ message: MSG.memberAdded }, true);
};

export const removeTeamMember: Handler = (ctx) => {
  const id = idParam(ctx, 'teamId');
  if (typeof id !== 'number') return id;
  const userId = idParam(ctx, 'userId');
  if (typeof userId !== 'number') return userId;
  const team = ctx.store.teamInOrg(ctx.caller.orgId, id);
  if (!team) return fail(404, MSG.teamNotFound);
  if (!ctx.store.users.has(userId)) return fail(500, MSG.failedRemoveMember);
  if (!team.members.delete(userId)) return fail(404, MSG.teamMemberNotFound);
  return success(MSG.memberRemoved);
};

/**
 * PUT {members: [email], admins: [email]} (Grafana 11.1+): the whole team in one call. Lists hold
 * emails only (looked up by email). Current members are matched by their exact stored email; anyone
 * not listed is removed. An unknown email is a 404 "user not found" and nothing changes.
 */
export const setTeamMemberships: Handler = (ctx) => {
  const body = objectBody(ctx.body);
  if (!body.ok) return body.reply;
  const members = stringList(body.value, 'members');
  if (!members.ok) return members.reply;
  const admins = stringList(body.value, 'admins');
  if (!admins.ok) return admins.reply;
  const id = idParam(ctx, 'teamId');
  if (typeof id !== 'number') return id;
  const { store } = ctx;
  const team = store.teamInOrg(ctx.caller.orgId, id);

  const wantAdmins = new Set(admins.value);
  const wantMembers = new Set(members.value);
  const removals: number[] = [];
  for (const [userId, permission] of team?.members ?? []) {
    const email = store.users.get(userId)?.email ?? '';
    if (wantAdmins.has(email)) {
      if (permission === 4) wantAdmins.delete(email);
      continue;
    }
    if (wantMembers.has(email)) {
      if (permission === 0) wantMembers.delete(email);
      continue;
    }
    removals.push(userId);
  }
  const updates: Array<[number, TeamPermission | undefined]> = [];
  for (const [emails, permission] of [
    [wantAdmins, 4],
    [wantMembers, 0],
  ] as const) {
    for (const email of emails) {
      const user = store.userByEmail(email);
      if (!user) return fail(404, MSG.userNotFound);
      updates.push([user.id, permission]);
    }
  }
  for (const userId of removals) updates.push([userId, undefined]);
  if (!team) return fail(404, MSG.teamNotFoundLower);
  // Applied in Grafana's order (admins, members, removals), so a later command can undo an earlier one.
  for (const [userId, permission] of updates) {
    if (permission === undefined) team.members.delete(userId);
    else team.members.set(userId, permission);
  }
  return success(MSG.membershipsUpdated, updates.length > 0);
};
