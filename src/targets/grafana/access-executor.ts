import { TargetHttpError, TargetNetworkError } from '../../errors/index.js';
import type { Grant, OpOf, ResourceRef, TeamRef } from '../../model/index.js';
import { UnresolvedRefError, UnsupportedOpError } from '../op-errors.js';
import type { OpOutcome } from '../target.js';
import type { OrgContext } from './client.js';
import { LEVEL_NUMBERS, permissionsPath } from './access-reader.js';
import type { GrafanaApplyContext } from './executor.js';
import { acPermissionsSchema } from './payloads.js';
import { orgNumber } from './reader.js';

export type AccessOp = OpOf<'setGrant' | 'removeGrant' | 'setGrants'>;

/**
 * Folder and dashboard permissions. One team's level goes through access control alone (a retry
 * sets the same level again); the legacy whole list carries every grant the sync does not own
 * exactly as read, plus the managed teams' levels (a retry writes the same list). Errors name the
 * team and the resource; Grafana's own messages are passed on, never read.
 */
export async function applyGrafanaAccessOp(ctx: GrafanaApplyContext, op: AccessOp): Promise<OpOutcome> {
  const org = orgOfResource(ctx, op.resource);
  const auth = ctx.client.orgAuth(org);
  switch (op.kind) {
    case 'setGrant': {
      const teamId = await teamIdOf(ctx, op.team, op.resource);
      await named(ctx.client.send('POST', teamPath(op.resource, teamId), { permission: op.level }, auth), op, op.team);
      return { status: 'applied' };
    }
    case 'removeGrant':
      try {
        await ctx.client.send('POST', teamPath(op.resource, op.team.id), { permission: '' }, auth);
        return { status: 'applied' };
      } catch (err) {
        // Every refusal is the same 400 (a team deleted since the read among them): read the list.
        if (err instanceof TargetHttpError && err.status === 400 && !(await holds(ctx, op, auth)))
          return { status: 'already-done', detail: 'the team holds no grant there' };
        throw withNames(err, op, op.team);
      }
    case 'setGrants': {
      const items = [...op.kept.map(itemOf), ...(await managedItems(ctx, op))];
      const path = permissionsPath('legacy', op.resource);
      await named(ctx.client.send('POST', path, { items }, auth), op);
      return { status: 'applied' };
    }
  }
}

const teamPath = (r: ResourceRef, teamId: string) =>
  `${permissionsPath('access-control', r)}/teams/${encodeURIComponent(teamId)}`;

/** A kept grant as the legacy list item it was read from. */
function itemOf(g: Grant): Record<string, unknown> {
  const permission = LEVEL_NUMBERS[g.level];
  if (permission === undefined) throw new UnsupportedOpError(`"${g.level}" is not a Grafana permission level`);
  if (g.subject.kind === 'user') return { userId: Number(g.subject.id), permission };
  if (g.subject.kind === 'team') return { teamId: Number(g.subject.id), permission };
  return { role: g.subject.id, permission };
}

async function managedItems(ctx: GrafanaApplyContext, op: OpOf<'setGrants'>): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  for (const t of op.teams) {
    const permission = LEVEL_NUMBERS[t.level];
    if (permission === undefined) throw new UnsupportedOpError(`"${t.level}" is not a Grafana permission level`);
    out.push({ teamId: Number(await teamIdOf(ctx, t.team, op.resource)), permission });
  }
  return out;
}

/** The team still has a managed grant of its own on the resource. */
async function holds(ctx: GrafanaApplyContext, op: OpOf<'removeGrant'>, auth: object): Promise<boolean> {
  const rows = await ctx.client.get(permissionsPath('access-control', op.resource), acPermissionsSchema, auth);
  return rows.some((r) => r.isManaged && !r.isInherited && String(r.teamId) === op.team.id);
}

function orgOfResource(ctx: GrafanaApplyContext, r: ResourceRef): OrgContext {
  const id = r.org !== undefined ? orgNumber(r.org) : ctx.client.defaultOrgId;
  if (id === undefined) throw new UnresolvedRefError(`${describe(r)} has no org`);
  return { id, name: ctx.orgName(id) };
}

async function teamIdOf(ctx: GrafanaApplyContext, team: TeamRef, r: ResourceRef): Promise<string> {
  const id = team.id ?? (await ctx.ids.teamId(team, team.key));
  if (id === undefined)
    throw new UnresolvedRefError(
      `team "${team.name}" has no id for its grant on ${describe(r)}: the op that creates it did not succeed`,
    );
  return id;
}

const describe = (r: ResourceRef) => `${r.type} "${r.title}" (${r.id})`;

async function named<T>(call: Promise<T>, op: AccessOp, team?: TeamRef): Promise<T> {
  try {
    return await call;
  } catch (err) {
    throw withNames(err, op, team);
  }
}

/** The same error (class, status, request: the queue's retry rules hold), its message naming the team and resource. */
function withNames(err: unknown, op: AccessOp, team?: TeamRef): unknown {
  const what = `${team ? `team "${team.name}" on ` : 'permissions of '}${describe(op.resource)}`;
  if (err instanceof TargetHttpError)
    return new TargetHttpError(
      err.status,
      `${err.apiMessage ? `${err.apiMessage} ` : ''}(${what})`,
      err.request,
      err.retryAfterMs,
    );
  if (err instanceof TargetNetworkError) {
    const prefix = `${err.request.method} ${err.request.path}: `;
    const reason = err.message.startsWith(prefix) ? err.message.slice(prefix.length) : err.message;
    return new TargetNetworkError(`${reason} (${what})`, err.request, { cause: err, code: err.code });
  }
  return err;
}
