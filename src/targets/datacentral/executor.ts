import { TargetHttpError } from '../../errors/index.js';
import type { Op, OpOf, TeamRef } from '../../model/index.js';
import { UnresolvedRefError, UnsupportedOpError } from '../op-errors.js';
import type { IdResolver, OpOutcome } from '../target.js';
import type { DatacentralClient } from './client.js';
import { ROOT, unitSchema, userSchema, type DcUser } from './payloads.js';
import type { RoleMaker } from './roles.js';

export interface DatacentralApplyContext {
  client: DatacentralClient;
  ids: IdResolver;
  roles: RoleMaker;
  userType: string;
  /** Set entraGroupId on created units from their group's id. */
  linkEntraGroups: boolean;
}

/**
 * One op = one call. A user's roles and units are written as whole lists (POST on create, PATCH
 * after), so a retry after an applied-then-failed call sends the same lists and lands in the same
 * state. A role a list needs that the tenant lacks is created first (a step here, not an op: it is
 * idempotent, 409 meaning it exists, and costs one call per role per process at most).
 */
export async function applyDatacentralOp(ctx: DatacentralApplyContext, op: Op): Promise<OpOutcome> {
  const { client } = ctx;
  switch (op.kind) {
    case 'createTeam':
      return createUnit(ctx, op);
    case 'createUser':
      return createUser(ctx, op);
    case 'setUser':
      return setUser(ctx, op);
    case 'deleteUser':
      try {
        await client.send('DELETE', `users/${op.user.id}`);
        return { status: 'applied' };
      } catch (err) {
        if (err instanceof TargetHttpError && err.status === 404)
          return { status: 'already-done', detail: 'user already gone' };
        throw err;
      }
    case 'renameTeam':
    case 'deleteTeam':
      throw new UnsupportedOpError('organizational units cannot be renamed or deleted through the API');
    case 'addMember':
    case 'removeMember':
    case 'setMembers':
    case 'setRole':
    case 'enableUser':
    case 'disableUser':
      throw new UnsupportedOpError(
        `${op.kind}: the tenant API writes a user's whole lists (plan with whole-user membership)`,
      );
    case 'setGrant':
    case 'removeGrant':
    case 'setGrants':
      throw new UnsupportedOpError('DataCentral has no permissions API (its capabilities have no access)');
  }
}

/** A unit under its parent (created earlier in the run, or the root); 409: the sibling of that name. */
async function createUnit(ctx: DatacentralApplyContext, op: OpOf<'createTeam'>): Promise<OpOutcome> {
  const { client } = ctx;
  const parentId = op.team.under
    ? await unitId(ctx, {
        name: op.team.under.name,
        key: op.team.under.key,
        ...(op.team.under.id ? { id: op.team.under.id } : {}),
      })
    : ROOT;
  const group = op.teamKey.startsWith('group:') ? op.teamKey.slice('group:'.length) : undefined;
  const body = { name: op.team.name, parentId, ...(ctx.linkEntraGroups && group ? { entraGroupId: group } : {}) };
  try {
    const res = await client.send('POST', 'organization-units', body);
    return { status: 'applied', createdId: client.parse(res, unitSchema, 'POST', 'organization-units').id };
  } catch (err) {
    if (!(err instanceof TargetHttpError && err.status === 409)) throw err;
    // Already there (a retry after an applied call): the sibling of that name.
    const hit = (await client.all('organization-units', unitSchema)).find(
      (u) => (u.parentId ?? ROOT) === parentId && u.name.toLowerCase() === op.team.name.toLowerCase(),
    );
    if (!hit) throw err;
    return { status: 'already-done', detail: 'unit exists', createdId: hit.id };
  }
}

/** A user with every role and unit in one call; 409: the address exists, given this op's lists. */
async function createUser(ctx: DatacentralApplyContext, op: OpOf<'createUser'>): Promise<OpOutcome> {
  const { client } = ctx;
  const units = await unitIds(ctx, op.teams ?? (op.team ? [op.team] : []));
  const roles = await ctx.roles.ensure(op.roles ?? (op.role ? [op.role] : []));
  const body = {
    type: ctx.userType,
    email: op.user.email,
    firstName: op.givenName ?? '',
    lastName: op.familyName ?? '',
    roles,
    organizationUnits: units,
  };
  try {
    const res = await client.send('POST', 'users', body);
    return { status: 'applied', createdId: client.parse(res, userSchema, 'POST', 'users').id, teamIds: units };
  } catch (err) {
    if (!(err instanceof TargetHttpError && err.status === 409)) throw err;
    const found = (await client.all('users', userSchema)).find(
      (u) => u.email.toLowerCase() === op.user.email.toLowerCase(),
    );
    if (!found) throw err;
    // The address exists: make its lists the ones this op carries (the same write a retry would send).
    if (!sameLists(found, roles, units))
      await client.send('PATCH', `users/${found.id}`, { roles, organizationUnits: units });
    return { status: 'already-done', detail: 'user exists', createdId: found.id, teamIds: units };
  }
}

/** The user's names, roles and units, each given list replacing the user's list, in one PATCH. */
async function setUser(ctx: DatacentralApplyContext, op: OpOf<'setUser'>): Promise<OpOutcome> {
  const { client } = ctx;
  const body: Record<string, unknown> = {};
  if (op.givenName !== undefined) body.firstName = op.givenName;
  if (op.familyName !== undefined) body.lastName = op.familyName;
  if (op.roles) body.roles = await ctx.roles.ensure(op.roles);
  const units = op.teams ? await unitIds(ctx, op.teams) : undefined;
  if (units) body.organizationUnits = units;
  if (Object.keys(body).length === 0) return { status: 'already-done', detail: 'nothing to change' };
  await client.send('PATCH', `users/${op.user.id}`, body);
  return { status: 'applied', ...(units ? { teamIds: units } : {}) };
}

async function unitIds(ctx: DatacentralApplyContext, refs: TeamRef[]): Promise<string[]> {
  return [...new Set(await Promise.all(refs.map((r) => unitId(ctx, r))))];
}

/** By id when known; a unit created earlier in the run by its identity-link key (names repeat across branches). */
async function unitId(ctx: DatacentralApplyContext, ref: TeamRef): Promise<string> {
  const id =
    ref.id ??
    (ref.key !== undefined ? await ctx.ids.teamIdByKey?.(ref.key) : undefined) ??
    (await ctx.ids.teamId(ref, ref.key));
  if (id === undefined)
    throw new UnresolvedRefError(`unit "${ref.name}" has no id: the op that creates it did not succeed`);
  return id;
}

function sameLists(u: DcUser, roles: string[], units: string[]): boolean {
  const eq = (a: string[], b: string[]) =>
    a.length === b.length && a.every((x) => b.some((y) => y.toLowerCase() === x.toLowerCase()));
  return eq(u.roles, roles) && eq(u.organizationUnits, units);
}
