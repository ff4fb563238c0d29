import type { z } from 'zod';
import { RostersyncError, TargetHttpError } from '../../errors/index.js';
import type { Op, TeamRef, UserRef } from '../../model/index.js';
import type { IdResolver, OpOutcome } from '../target.js';
import type { ChartioClient } from './client.js';
import { teamsPageSchema, userSchema, teamSchema } from './payloads.js';

/** An op whose team or user could not be resolved to an id (its creating op did not run). */
export class UnresolvedRefError extends RostersyncError {
  constructor(message: string) {
    super('UNRESOLVED_REF', message);
  }
}

const applied = (createdId?: string): OpOutcome => ({ status: 'applied', ...(createdId ? { createdId } : {}) });
const alreadyDone = (detail: string, createdId?: string): OpOutcome => ({ status: 'already-done', detail, ...(createdId ? { createdId } : {}) });

/**
 * One op = one Chartio call. The documented idempotent answers mean the work is already done:
 * 409 on create/add ("already there": look it up and link it), 404 on remove/delete ("already gone").
 * A retried call whose first attempt was applied therefore succeeds.
 */
export async function applyChartioOp(client: ChartioClient, op: Op, ids: IdResolver): Promise<OpOutcome> {
  switch (op.kind) {
    case 'createTeam':
      return onStatus(409, () => client.send('POST', 'teams', { name: op.team.name }).then((r) => applied(teamSchema.parse(r.body).id)),
        async () => alreadyDone('team exists', await findTeamId(client, op.team.name)));
    case 'renameTeam':
      return client.send('PATCH', `teams/${op.team.id}`, { name: op.team.name }).then(() => applied(op.team.id));
    case 'createUser': {
      const teamId = await teamIdOf(op.team, ids);
      return onStatus(409, () => client.send('POST', 'users', { email: op.user.email, team: { id: Number(teamId) } }).then((r) => applied(userSchema.parse(r.body).id)),
        async () => alreadyDone('user exists on the team', userSchema.parse((await client.send('GET', `users/${encodeURIComponent(op.user.email)}`)).body).id));
    }
    case 'addMember': {
      const teamId = await teamIdOf(op.team, ids);
      const user = await userIdentifier(op.user, ids);
      return onStatus(409, () => client.send('PATCH', `teams/${teamId}/users`, user).then(() => applied()), async () => alreadyDone('already a member'));
    }
    case 'removeMember':
      return onStatus(404, () => client.send('DELETE', `teams/${op.team.id}/users/${op.user.id}`).then(() => applied()), async () => alreadyDone('not a member'));
    case 'deleteUser':
      return onStatus(404, () => client.send('DELETE', `users/${op.user.id}`).then(() => applied()), async () => alreadyDone('user already gone'));
    case 'deleteTeam':
      return onStatus(404, () => client.send('DELETE', `teams/${op.team.id}`).then(() => applied()), async () => alreadyDone('team already gone'));
  }
}

async function onStatus(status: number, call: () => Promise<OpOutcome>, idempotent: () => Promise<OpOutcome>): Promise<OpOutcome> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof TargetHttpError && err.status === status) return idempotent();
    throw err;
  }
}

async function teamIdOf(team: TeamRef, ids: IdResolver): Promise<string> {
  const id = team.id ?? (await ids.teamId(team.name));
  if (id === undefined) throw new UnresolvedRefError(`team "${team.name}" has no id: the op that creates it did not succeed`);
  return id;
}

/** By id when known (preferred: emails can change), else by email, which the API also accepts. */
async function userIdentifier(user: UserRef, ids: IdResolver): Promise<{ id: number } | { email: string }> {
  const id = user.id ?? (await ids.userId(user.sourceId, user.email));
  return id !== undefined ? { id: Number(id) } : { email: user.email };
}

/** After a 409 on create: the team exists; find its id by name, page by page. */
async function findTeamId(client: ChartioClient, name: string): Promise<string | undefined> {
  for (let href: string | undefined = 'teams'; href; ) {
    const page: z.infer<typeof teamsPageSchema> = await client.get(href, teamsPageSchema);
    const hit = page.teams.find((t) => t.name.toLowerCase() === name.toLowerCase());
    if (hit) return hit.id;
    href = page._links.next?.href;
  }
  return undefined;
}
