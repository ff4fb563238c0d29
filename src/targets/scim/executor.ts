import type { z } from 'zod';
import { TargetHttpError, TargetResponseError } from '../../errors/index.js';
import type { Op, OpOf, TeamRef, UserRef } from '../../model/index.js';
import { UnresolvedRefError, UnsupportedOpError } from '../op-errors.js';
import type { IdResolver, OpOutcome } from '../target.js';
import { quoted, type ScimClient } from './client.js';
import type { ScimServerFacts } from './discovery.js';
import { explain, naming } from './errors.js';
import { bulkPatches } from './bulk.js';
import type { BulkCreates } from './bulk-creates.js';
import {
  GROUP_SCHEMA,
  groupSchema,
  groupsPageSchema,
  PATCH_OP,
  USER_SCHEMA,
  userSchema,
  usersPageSchema,
  type ScimGroup,
  type ScimUser,
} from './payloads.js';
import { profileOf, type PatchOperation, type ScimProfile } from './profiles.js';
import type { ScimTargetConfig } from './schema.js';

export interface ScimApplyContext {
  client: ScimClient;
  ids: IdResolver;
  config: ScimTargetConfig;
  discovery: ScimServerFacts;
  /** Creates gathered into POST /Bulk calls, where the server has /Bulk and the config allows it. */
  bulkCreates?: BulkCreates;
}

const applied = (createdId?: string, detail?: string): OpOutcome => ({
  status: 'applied',
  ...(createdId ? { createdId } : {}),
  ...(detail ? { detail } : {}),
});
const alreadyDone = (detail: string, createdId?: string): OpOutcome => ({
  status: 'already-done',
  detail,
  ...(createdId ? { createdId } : {}),
});
const is = (err: unknown, ...statuses: number[]) => err instanceof TargetHttpError && statuses.includes(err.status);
const enc = encodeURIComponent;

/**
 * One op, one call (a group's member changes: one PATCH per maxMembersPerPatch members, or one
 * /Bulk). Idempotent answers: 409 uniqueness on a create looks the resource up and links it; 404 on
 * a removal or delete is done. A 2xx answer naming another resource than the one asked is a failure.
 */
export async function applyScimOp(ctx: ScimApplyContext, op: Op): Promise<OpOutcome> {
  const p = profileOf(ctx.config.profile, ctx.discovery);
  switch (op.kind) {
    case 'createUser':
      return createUser(ctx, op);
    case 'setUser':
      return setUser(ctx, p, op);
    case 'setRole':
      return patchUser(ctx, p, op.user, ctx.config.roles?.attribute ?? 'roles', {
        [ctx.config.roles?.attribute ?? 'roles']: op.to.map((value) => ({ value })),
      });
    case 'enableUser':
      return patchUser(ctx, p, op.user, 'active', {
        active: p.active(true),
        ...(op.role !== undefined ? { [ctx.config.roles?.attribute ?? 'roles']: [{ value: op.role }] } : {}),
      });
    case 'disableUser':
      try {
        return await patchUser(ctx, p, op.user, 'active', { active: p.active(false) });
      } catch (err) {
        if (is(err, 404)) return alreadyDone('user already gone');
        throw err;
      }
    case 'deleteUser':
      return gone(() => ctx.client.send('DELETE', `Users/${enc(op.user.id)}`), op.user.email, 'user already gone');
    case 'createTeam':
      return createGroup(ctx, op.team);
    case 'renameTeam':
      return renameGroup(ctx, p, op.team.id, op.team.name);
    case 'deleteTeam':
      return gone(
        () => ctx.client.send('DELETE', `Groups/${enc(op.team.id)}`),
        `group "${op.team.name}"`,
        'group already gone',
      );
    case 'addMember':
    case 'removeMember':
      return oneMember(ctx, p, op);
    case 'setMembers':
      return setMembers(ctx, p, op);
    case 'setGrant':
    case 'removeGrant':
    case 'setGrants':
      throw new UnsupportedOpError('SCIM has no permissions on resources (its capabilities have no access)');
  }
}

/** The userName the config asks for; from an attribute, the account name the plan carries (never a stand-in). */
function userNameOf(ctx: ScimApplyContext, user: UserRef): string {
  const from = ctx.config.userName;
  if (typeof from === 'object') {
    if (user.accountName === undefined)
      throw new UnresolvedRefError(
        `${user.email}: no userName: the op carries no value of "${from.attribute}" (target.userName.attribute)`,
      );
    return user.accountName;
  }
  return from === 'sourceId' && user.sourceId !== undefined ? user.sourceId : user.email;
}

function nameValues(givenName?: string, familyName?: string): Record<string, unknown> {
  const display = [givenName, familyName].filter((n) => n).join(' ');
  return {
    name: { givenName: givenName ?? '', familyName: familyName ?? '' },
    ...(display ? { displayName: display } : {}),
  };
}

/**
 * Names, and the address where it changed in place: userName (when it is the email) and the
 * primary email of the same account, found by its id (externalId stays: the directory's id). With
 * `userName: { attribute }`, the new account name the op carries is the userName.
 */
function setUser(ctx: ScimApplyContext, p: ScimProfile, op: OpOf<'setUser'>): Promise<OpOutcome> {
  const names = op.givenName !== undefined || op.familyName !== undefined;
  const accountName = typeof ctx.config.userName === 'object' ? op.user.accountName : undefined;
  const values = {
    ...(op.email !== undefined && ctx.config.userName === 'email' ? { userName: op.email } : {}),
    ...(accountName !== undefined ? { userName: accountName } : {}),
    ...(op.email !== undefined ? { emails: [{ value: op.email, type: 'work', primary: true }] } : {}),
    ...(names ? nameValues(op.givenName, op.familyName) : {}),
  };
  const field =
    accountName !== undefined
      ? 'userName'
      : op.email !== undefined
        ? ctx.config.userName === 'email'
          ? 'userName'
          : 'emails'
        : 'name';
  return patchUser(ctx, p, { ...op.user, email: op.email ?? op.user.email }, field, values);
}

async function createUser(ctx: ScimApplyContext, op: OpOf<'createUser'>): Promise<OpOutcome> {
  const { client } = ctx;
  const userName = userNameOf(ctx, op.user);
  const roles = op.roles ?? (op.role !== undefined ? [op.role] : []);
  const attr = ctx.config.roles?.attribute ?? 'roles';
  const body = {
    schemas: [USER_SCHEMA],
    userName,
    ...(op.user.sourceId !== undefined ? { externalId: op.user.sourceId } : {}),
    ...(op.givenName !== undefined || op.familyName !== undefined
      ? { name: { givenName: op.givenName ?? '', familyName: op.familyName ?? '' } }
      : {}),
    displayName: op.displayName,
    emails: [{ value: op.user.email, type: 'work', primary: true }],
    active: profileOf(ctx.config.profile, ctx.discovery).active(true),
    ...(ctx.config.roles && roles.length > 0 ? { [attr]: roles.map((value) => ({ value })) } : {}),
  };
  try {
    const res = ctx.bulkCreates ? await ctx.bulkCreates.create(body) : await client.send('POST', 'Users', body);
    const u = client.parse(res, userSchema, 'POST', 'Users');
    if (u.userName.toLowerCase() !== userName.toLowerCase())
      throw new TargetResponseError(
        `POST Users for ${op.user.email} answered ${res.status} with another user (userName "${u.userName}", id ${u.id}): not counted as created`,
        { method: 'POST', path: 'Users' },
        res.status,
      );
    return applied(u.id);
  } catch (err) {
    if (is(err, 409)) {
      const found = await findUser(ctx, userName, op.user.email);
      if (found) return alreadyDone(`userName ${userName} exists (uniqueness): linked`, found.id);
    }
    throw explain(err, op.user.email, fieldOfCreate(err));
  }
}

/** The attribute a refused create names in its detail, else userName (the one a server checks first). */
function fieldOfCreate(err: unknown): string {
  const text = err instanceof TargetHttpError ? err.apiMessage : '';
  for (const f of [
    'externalId',
    'emails',
    'displayName',
    'name.givenName',
    'name.familyName',
    'active',
    'roles',
    'entitlements',
  ])
    if (text.includes(f)) return f;
  return 'userName';
}

/**
 * One resource by `attr eq "value"`: a filter where the server has filters (an exact match only:
 * a server that ignores the filter lists everyone), else every page until it is found.
 */
async function findOne<T>(
  ctx: ScimApplyContext,
  endpoint: 'Users' | 'Groups',
  schema: z.ZodType<{ totalResults: number; Resources?: T[] | undefined }>,
  attr: string,
  value: string,
  who: string,
  valueOf: (r: T) => string,
): Promise<T | undefined> {
  const want = value.toLowerCase();
  const hit = (items: T[] | undefined) => (items ?? []).find((r) => valueOf(r).toLowerCase() === want);
  if (ctx.discovery.filter.supported) {
    const path = `${endpoint}?filter=${enc(`${attr} eq ${quoted(value)}`)}`;
    return hit((await naming(who, `filter ${attr} eq ${quoted(value)}`, () => ctx.client.get(path, schema))).Resources);
  }
  const count = ctx.discovery.filter.maxResults || 100;
  for (let start = 1; ;) {
    const page = await ctx.client.get(`${endpoint}?startIndex=${start}&count=${count}`, schema);
    const found = hit(page.Resources);
    const n = page.Resources?.length ?? 0;
    if (found || n === 0 || start - 1 + n >= page.totalResults) return found;
    start += n;
  }
}

export const findUser = (ctx: ScimApplyContext, userName: string, who: string): Promise<ScimUser | undefined> =>
  findOne(ctx, 'Users', usersPageSchema, 'userName', userName, who, (u) => u.userName);

const findGroup = (ctx: ScimApplyContext, name: string): Promise<ScimGroup | undefined> =>
  findOne(ctx, 'Groups', groupsPageSchema, 'displayName', name, `group "${name}"`, (g) => g.displayName);

/** PATCH (or, where the server has none, GET + PUT) of a few attributes, as absolute values. */
async function patchUser(
  ctx: ScimApplyContext,
  p: ScimProfile,
  user: UserRef & { id: string },
  field: string,
  values: Record<string, unknown>,
): Promise<OpOutcome> {
  const path = `Users/${enc(user.id)}`;
  return naming(user.email, field, async () => {
    if (p.put) {
      const current = await ctx.client.get(path, userSchema);
      const res = await ctx.client.send('PUT', path, { ...current, ...values, schemas: [USER_SCHEMA] });
      checkSame(ctx, res, userSchema, 'PUT', path, user.id);
      return applied();
    }
    const res = await ctx.client.send('PATCH', path, { schemas: [PATCH_OP], Operations: p.replace(values) });
    checkSame(ctx, res, userSchema, 'PATCH', path, user.id);
    return applied();
  });
}

/** A 2xx answer with a body must be the resource asked for; 204 carries none. */
function checkSame(
  ctx: ScimApplyContext,
  res: { status: number; body: unknown },
  schema: z.ZodType<{ id: string }>,
  method: string,
  path: string,
  id: string,
): void {
  if (res.status === 204 || res.body === undefined || res.body === null || res.body === '') return;
  const got = ctx.client.parse(res as never, schema, method, path);
  if (got.id !== id)
    throw new TargetResponseError(
      `${method} ${path} answered ${res.status} with another resource (id ${got.id}): not counted as done`,
      { method, path },
      res.status,
    );
}

async function createGroup(ctx: ScimApplyContext, team: TeamRef): Promise<OpOutcome> {
  const who = `group "${team.name}"`;
  try {
    const res = await ctx.client.send('POST', 'Groups', {
      schemas: [GROUP_SCHEMA],
      displayName: team.name,
      members: [],
    });
    const g = ctx.client.parse(res, groupSchema, 'POST', 'Groups');
    if (g.displayName.toLowerCase() !== team.name.toLowerCase())
      throw new TargetResponseError(
        `POST Groups for ${who} answered ${res.status} with another group ("${g.displayName}", id ${g.id}): not counted as created`,
        { method: 'POST', path: 'Groups' },
        res.status,
      );
    return applied(g.id);
  } catch (err) {
    if (is(err, 409)) {
      const found = await findGroup(ctx, team.name);
      if (found) return alreadyDone('group exists (uniqueness): linked', found.id);
    }
    throw explain(err, who, 'displayName');
  }
}

async function renameGroup(ctx: ScimApplyContext, p: ScimProfile, id: string, name: string): Promise<OpOutcome> {
  const path = `Groups/${enc(id)}`;
  return naming(`group "${name}"`, 'displayName', async () => {
    if (p.put) {
      const g = await ctx.client.get(path, groupSchema);
      const res = await ctx.client.send('PUT', path, {
        schemas: [GROUP_SCHEMA],
        id,
        displayName: name,
        members: g.members ?? [],
      });
      checkSame(ctx, res, groupSchema, 'PUT', path, id);
    } else {
      const res = await ctx.client.send('PATCH', path, {
        schemas: [PATCH_OP],
        Operations: p.replace({ displayName: name }),
      });
      checkSame(ctx, res, groupSchema, 'PATCH', path, id);
    }
    return applied(id);
  });
}

async function teamIdOf(ctx: ScimApplyContext, team: TeamRef): Promise<string> {
  const id = team.id ?? (await ctx.ids.teamId(team, team.key));
  if (!id) throw new UnresolvedRefError(`group "${team.name}" has no id (its create did not run)`);
  return id;
}

async function userIdOf(ctx: ScimApplyContext, user: UserRef): Promise<string | undefined> {
  return user.id ?? (await ctx.ids.userId(user.sourceId, user.email));
}

/** Per-member mode: one PATCH add or remove. */
async function oneMember(
  ctx: ScimApplyContext,
  p: ScimProfile,
  op: OpOf<'addMember' | 'removeMember'>,
): Promise<OpOutcome> {
  const teamId = await teamIdOf(ctx, op.team);
  const userId = await userIdOf(ctx, op.user);
  if (!userId) throw new UnresolvedRefError(`${op.user.email} has no id (their create did not run)`);
  const adds = op.kind === 'addMember' ? [userId] : [];
  const removes = op.kind === 'removeMember' ? [userId] : [];
  const path = `Groups/${enc(teamId)}`;
  try {
    await naming(op.user.email, `members of group "${op.team.name}"`, async () => {
      if (p.put) await putMembers(ctx, teamId, (current) => [...current.filter((m) => !removes.includes(m)), ...adds]);
      else {
        const res = await ctx.client.send('PATCH', path, { schemas: [PATCH_OP], Operations: p.members(adds, removes) });
        checkSame(ctx, res, groupSchema, 'PATCH', path, teamId);
      }
    });
    return applied();
  } catch (err) {
    if (op.kind === 'removeMember' && is(err, 404)) return alreadyDone('not a member any more');
    throw err;
  }
}

async function putMembers(ctx: ScimApplyContext, id: string, members: (current: string[]) => string[]): Promise<void> {
  const path = `Groups/${enc(id)}`;
  const g = await ctx.client.get(path, groupSchema);
  const list = [...new Set(members((g.members ?? []).map((m) => m.value)))];
  const res = await ctx.client.send('PUT', path, {
    schemas: [GROUP_SCHEMA],
    id,
    displayName: g.displayName,
    members: list.map((value) => ({ value })),
  });
  checkSame(ctx, res, groupSchema, 'PUT', path, id);
}

/**
 * A group's whole member list: its members are read (one GET) and only the difference is written,
 * maxMembersPerPatch members per PATCH (adds and removes in the same call), or every PATCH in one
 * /Bulk where the server has it and more than one is needed. A retry reads again, so a batch
 * applied before a 5xx is not sent twice.
 */
async function setMembers(ctx: ScimApplyContext, p: ScimProfile, op: OpOf<'setMembers'>): Promise<OpOutcome> {
  const teamId = await teamIdOf(ctx, op.team);
  const path = `Groups/${enc(teamId)}`;
  const who = `group "${op.team.name}"`;
  const wanted = new Set<string>();
  const missing: string[] = [];
  for (const m of op.members) {
    const id = await userIdOf(ctx, m);
    if (id) wanted.add(id);
    else missing.push(m.email);
  }
  const left = missing.length > 0 ? `left out (no account): ${missing.join(', ')}` : undefined;
  if (p.put) {
    await naming(who, 'members', () => putMembers(ctx, teamId, () => [...wanted]));
    return applied(undefined, left);
  }
  const group = await ctx.client.get(path, groupSchema);
  if (group.id !== teamId)
    throw new TargetResponseError(
      `GET ${path} answered with another group (id ${group.id})`,
      { method: 'GET', path },
      200,
    );
  const current = new Set((group.members ?? []).map((m) => m.value));
  const adds = [...wanted].filter((id) => !current.has(id));
  // Members whose account the same plan deletes leave with it: no write for them here.
  const departing = new Set(op.departing ?? []);
  const removes = [...current].filter((id) => !wanted.has(id) && !departing.has(id));
  if (adds.length + removes.length === 0) return alreadyDone(left ?? 'members already as listed');
  const max = ctx.config.maxMembersPerPatch;
  const batches: PatchOperation[][] = [];
  const all = [...adds.map((id) => ['add', id] as const), ...removes.map((id) => ['remove', id] as const)];
  for (let i = 0; i < all.length; i += max) {
    const chunk = all.slice(i, i + max);
    batches.push(
      p.members(
        chunk.filter(([k]) => k === 'add').map(([, id]) => id),
        chunk.filter(([k]) => k === 'remove').map(([, id]) => id),
      ),
    );
  }
  await naming(who, 'members', async () => {
    if (batches.length > 1 && bulkUsable(ctx)) {
      await bulkPatches(ctx.client, ctx.discovery, path, batches);
      return;
    }
    for (const ops of batches) {
      const res = await ctx.client.send('PATCH', path, { schemas: [PATCH_OP], Operations: ops });
      checkSame(ctx, res, groupSchema, 'PATCH', path, teamId);
    }
  });
  return applied(undefined, left);
}

const bulkUsable = (ctx: ScimApplyContext) => ctx.config.bulk === 'auto' && ctx.discovery.bulk.supported;

async function gone(call: () => Promise<unknown>, who: string, detail: string): Promise<OpOutcome> {
  try {
    await call();
    return applied();
  } catch (err) {
    if (is(err, 404)) return alreadyDone(detail);
    throw explain(err, who, 'id');
  }
}
