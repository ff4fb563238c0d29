import { collectionBody, pageSlice, userBody } from '../hal.js';
import { fail, json, MSG, type Handler } from '../context.js';
import { newUserEmail, newUserTeam } from '../schemas.js';

export const listUsers: Handler = (c) => {
  const order = c.store.userOrder;
  const slice = pageSlice(order.length, c.query.get('page'), c.options.pageSize);
  if (!slice.ok) return fail(404, MSG.invalidPage);
  const items = [];
  for (let i = slice.start; i < slice.end; i++) items.push(userBody(c.store, c.hrefs, c.store.users.get(order[i]!)!));
  return json(200, collectionBody('users', c.hrefs.users(), order.length, c.options.pageSize, slice.page, items));
};

/**
 * POST /users {email, team: {id}}. An email already in the org but not on that team is added to the
 * team and answered 200 (nothing was created); on that team it is 409, as documented.
 */
export const createUser: Handler = (c) => {
  const email = newUserEmail.safeParse(c.body);
  if (!email.success) return fail(400, MSG.validEmail);
  const teamRef = newUserTeam.safeParse(c.body);
  const team = teamRef.success ? c.store.teams.get(teamRef.data.team.id) : undefined;
  if (!team) return fail(400, MSG.existingTeam);
  if (team.kind === 'dashboard') return fail(400, MSG.dashboardAdd);

  const existing = c.store.userByEmail(email.data.email);
  if (existing) {
    if (existing.teams.has(team.id)) return fail(409, MSG.userExists);
    c.store.addMember(team.id, existing.id);
    return json(200, userBody(c.store, c.hrefs, existing), true, { location: c.hrefs.user(existing.id) });
  }
  if (c.store.users.size >= c.options.maxUsers) return fail(403, MSG.userCap(c.options.maxUsers));
  const user = c.store.createUser(email.data.email, team.id);
  return json(201, userBody(c.store, c.hrefs, user), true, { location: c.hrefs.user(user.id) });
};

export const getUser: Handler = (c) => {
  const user = c.store.userByRef(c.params.userId!);
  if (!user) return fail(404, MSG.userNotFound);
  return json(200, userBody(c.store, c.hrefs, user));
};

/** Removes the user from every team of the org; the last owner stays. */
export const deleteUser: Handler = (c) => {
  const user = c.store.userByRef(c.params.userId!);
  if (!user) return fail(404, MSG.userNotFound);
  const owners = c.store.teams.get(c.store.ownersTeamId)!;
  if (owners.members.has(user.id) && owners.members.size === 1) return fail(400, MSG.lastOwnerDelete);
  c.store.deleteUser(user.id);
  c.resources.dropSubject({ kind: 'user', id: user.id });
  return { status: 204, applied: true };
};
