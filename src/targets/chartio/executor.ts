import type { z } from 'zod';
import { TargetHttpError } from '../../errors/index.js';
import { UnresolvedRefError, UnsupportedOpError } from '../op-errors.js';
import type { Op, TeamRef, UserRef } from '../../model/index.js';
import type { IdResolver, OpOutcome } from '../target.js';
import type { ChartioClient } from './client.js';
import { teamsPageSchema, userSchema, teamSchema } from './payloads.js';

const applied = (createdId?: string): OpOutcome => ({ status: 'applied', ...(createdId ? { createdId } : {}) });
const alreadyDone = (detail: string, createdId?: string): OpOutcome => ({
  status: 'already-done',
  detail,
  ...(createdId ? { createdId } : {}),
});

/**
 * One op = one Chartio call. The documented idempotent answers mean the work is already done:
 * 409 on create/add ("already there": look it up and link it), 404 on remove/delete ("already gone").
 * A retried call whose first attempt was applied therefore succeeds.
 */
export async function applyChartioOp(client: ChartioClient, op: Op, ids: IdResolver): Promise<OpOutcome> {
  switch (op.kind) {
    case 'createTeam':
      return onStatus(
        409,
        () =>
          client
            .send('POST', 'teams', { name: op.team.name })
            .then((r) => applied(client.parse(r, teamSchema, 'POST', 'teams').id)),
        async () => alreadyDone('team exists', await findTeamId(client, op.team.name)),
      );
    case 'renameTeam':
      return client.send('PATCH', `teams/${op.team.id}`, { name: op.team.name }).then(() => applied(op.team.id));
    case 'createUser': {
      if (!op.team) throw new UnsupportedOpError('a Chartio user is created on a team');
      const teamId = await teamIdOf(op.team, ids);
      return onStatus(
        409,
        () =>
          client
            .send('POST', 'users', { email: op.user.email, team: { id: Number(teamId) } })
            .then((r) => applied(client.parse(r, userSchema, 'POST', 'users').id)),
        async () =>
          alreadyDone(
            'user exists on the team',
            (await client.get(`users/${encodeURIComponent(op.user.email)}`, userSchema)).id,
          ),
      );
    }
    case 'addMember': {
      const teamId = await teamIdOf(op.team, ids);
      const user = await userIdentifier(op.user, ids);
      return onStatus(
        409,
        () => client.send('PATCH', `teams/${teamId}/users`, user).then(() => applied()),
        async () => alreadyDone('already a member'),
      );
    }
    case 'removeMember':
      return onStatus(
        404,
        () => client.send('DELETE', `teams/${op.team.id}/users/${op.user.id}`).then(() => applied()),
        async () => alreadyDone('not a member'),
      );
    case 'setUser':
      throw new UnsupportedOpError('Chartio writes memberships per call, not a whole user');
    case 'deleteUser':
      return onStatus(
        404,
        () => client.send('DELETE', `users/${op.user.id}`).then(() => applied()),
        async () => alreadyDone('user already gone'),
      );
    case 'deleteTeam':
      return onStatus(
        404,
        () => client.send('DELETE', `teams/${op.team.id}`).then(() => applied()),
        async () => alreadyDone('team already gone'),
      );
    case 'setMembers':
    case 'setRole':
    default:
      // The capabilities rule these out: Chartio writes membership per call and has no roles.
      throw new UnsupportedOpError(`${op.kind} is not a Chartio operation`);
  }
}

async function onStatus(
  status: number,
  call: () => Promise<OpOutcome>,
  idempotent: () => Promise<OpOutcome>,
): Promise<OpOutcome> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof TargetHttpError && err.status === status) return idempotent();
    throw err;
  }
}

async function teamIdOf(team: TeamRef, ids: IdResolver): Promise<string> {
  const id = team.id ?? (await ids.teamId(team));
  if (id === undefined)
    throw new UnresolvedRefError(`team "${team.name}" has no id: the op that creates it did not succeed`);
  return id;
}

/** By id when known (preferred: emails can change), else by email, which the API also accepts. */
async function userIdentifier(user: UserRef, ids: IdResolver): Promise<{ id: number } | { email: string }> {
  const id = user.id ?? (await ids.userId(user.sourceId, user.email));
  return id !== undefined ? { id: Number(id) } : { email: user.email };
}

/** After a 409 on create: the team exists; find its id by name, page by page. */
async function findTeamId(client: ChartioClient, name: string): Promise<string | undefined> {
  for (let href: string | undefined = 'teams'; href;) {
    const page: z.infer<typeof teamsPageSchema> = await client.get(href, teamsPageSchema);
    const hit = page.teams.find((t) => t.name.toLowerCase() === name.toLowerCase());
    if (hit) return hit.id;
    href = page._links.next?.href;
  }
  return undefined;
}
