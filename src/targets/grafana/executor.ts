import { randomBytes } from 'node:crypto';
import { TargetHttpError } from '../../errors/index.js';
import type { Op, OpOf, TeamRef, UserRef } from '../../model/index.js';
import { UnresolvedRefError, UnsupportedOpError } from '../op-errors.js';
import type { IdResolver, OpOutcome } from '../target.js';
import type { GrafanaClient, OrgContext } from './client.js';
import { orgNumber, orgUserEmails } from './reader.js';
import {
  addedOrgUserSchema,
  createdTeamSchema,
  createdUserSchema,
  orgUsersPageSchema,
  teamsPageSchema,
  userSchema,
} from './payloads.js';

const applied = (createdId?: string): OpOutcome => ({ status: 'applied', ...(createdId ? { createdId } : {}) });
const alreadyDone = (detail: string, createdId?: string): OpOutcome => ({
  status: 'already-done',
  detail,
  ...(createdId ? { createdId } : {}),
});

export interface GrafanaApplyContext {
  client: GrafanaClient;
  ids: IdResolver;
  /** Role Grafana gives a user it creates (auto_assign_org_role). */
  autoAssignRole: string;
  /** Org id -> name, for auth. */
  orgName: (id: string) => string;
}

/**
 * One op = one Grafana call (two for a user created with a role other than the one Grafana assigns).
 * Grafana's answers for work already done count as done: 409 on org join and team create, 400
 * "already added" on team member add, 404 on removals and deletes, so a retried call succeeds.
 */
export async function applyGrafanaOp(ctx: GrafanaApplyContext, op: Op): Promise<OpOutcome> {
  await ctx.client.ensureDefaultOrg();
  switch (op.kind) {
    case 'createTeam':
      return createTeam(ctx, op.team);
    case 'renameTeam':
      return ctx.client
        .send('PUT', `api/teams/${op.team.id}`, { name: op.team.name }, ctx.client.orgAuth(orgOf(ctx, op.team)))
        .then(() => applied(op.team.id));
    case 'deleteTeam':
      return on(
        [404],
        () =>
          ctx.client
            .send('DELETE', `api/teams/${op.team.id}`, undefined, ctx.client.orgAuth(orgOf(ctx, op.team)))
            .then(() => applied()),
        async () => alreadyDone('team already gone'),
      );
    case 'createUser':
      return createUser(ctx, op);
    case 'addMember':
      return op.team.type === 'org' ? joinOrg(ctx, op) : joinTeam(ctx, op);
    case 'removeMember':
      return op.team.type === 'org' ? leaveOrg(ctx, op) : leaveTeam(ctx, op);
    case 'setMembers':
      return setTeamMembers(ctx, op);
    case 'setRole': {
      if (!op.team) throw new UnsupportedOpError('Grafana roles are per org');
      await setOrgRole(ctx, { id: orgNumber(op.team.id), name: op.team.name }, op.user.id, op.to[0]!);
      return applied();
    }
    case 'setUser':
      throw new UnsupportedOpError('Grafana writes memberships per call or per team, not a whole user');
    case 'deleteUser':
      return on(
        [404],
        () =>
          ctx.client
            .send('DELETE', `api/admin/users/${op.user.id}`, undefined, ctx.client.adminAuth('deleting users'))
            .then(() => applied()),
        async () => alreadyDone('user already gone'),
      );
    default:
      // The capabilities rule the rest out (Grafana has no user status to set).
      throw new UnsupportedOpError(`${op.kind} is not a Grafana operation`);
  }
}

async function createTeam(ctx: GrafanaApplyContext, team: TeamRef): Promise<OpOutcome> {
  const { client } = ctx;
  const org = orgOf(ctx, team);
  return on(
    [409],
    () =>
      client
        .send('POST', 'api/teams', { name: team.name }, client.orgAuth(org))
        .then((r) => applied(client.parse(r, createdTeamSchema, 'POST', 'api/teams').teamId)),
    async () => alreadyDone('team exists', await findTeamId(ctx, org, team.name)),
  );
}

async function createUser(ctx: GrafanaApplyContext, op: OpOf<'createUser'>): Promise<OpOutcome> {
  const { client } = ctx;
  if (!op.team || op.team.type !== 'org' || !op.team.id)
    throw new UnsupportedOpError('a Grafana user is created in an existing org');
  const org = { id: orgNumber(op.team.id), name: op.team.name };
  const body = {
    name: op.displayName,
    email: op.user.email,
    login: op.user.email,
    password: randomBytes(24).toString('base64url'),
    OrgId: Number(org.id),
  };
  const auth = client.adminAuth('creating users');
  const out = await on(
    [409, 412],
    () =>
      client
        .send('POST', 'api/admin/users', body, auth)
        .then((r) => applied(client.parse(r, createdUserSchema, 'POST', 'api/admin/users').id)),
    async () =>
      alreadyDone(
        'user exists',
        (await client.get(`api/users/lookup?loginOrEmail=${encodeURIComponent(op.user.email)}`, userSchema, auth)).id,
      ),
  );
  // Grafana places a new user in the org with its auto-assign role; set the one the rules give.
  if (op.role && op.role.toLowerCase() !== ctx.autoAssignRole.toLowerCase())
    await setOrgRole(ctx, org, out.createdId!, op.role);
  return out;
}

async function joinOrg(ctx: GrafanaApplyContext, op: OpOf<'addMember'>): Promise<OpOutcome> {
  const org = { id: orgNumber(op.team.id!), name: op.team.name };
  // /api/orgs/:orgId routes throughout: they work with the org's token or as server admin, and
  // removing through them never deletes the user (the current-org route does, for a user left in no org).
  try {
    const r = await ctx.client.send(
      'POST',
      `api/orgs/${org.id}/users`,
      { loginOrEmail: op.user.email, role: op.role ?? 'Viewer' },
      ctx.client.orgAuth(org),
    );
    return applied(addedOrgUserSchema.safeParse(r.body).data?.userId);
  } catch (err) {
    if (err instanceof TargetHttpError && err.status === 404)
      return {
        status: 'deferred',
        detail: `${op.user.email} has no Grafana account yet: added after the first sign-in`,
      };
    if (err instanceof TargetHttpError && err.status === 409) {
      // Already a member (a retry after an applied call): make sure of the role.
      const uid = await userIdOf(ctx, op.user, org);
      if (op.role) await setOrgRole(ctx, org, uid, op.role);
      return alreadyDone('already in the org', uid);
    }
    throw err;
  }
}

async function joinTeam(ctx: GrafanaApplyContext, op: OpOf<'addMember'>): Promise<OpOutcome> {
  const org = orgOf(ctx, op.team);
  const teamId = await teamIdOf(ctx, op.team);
  const userId = await userIdOf(ctx, op.user, org);
  return on(
    [400, 409],
    () =>
      ctx.client
        .send('POST', `api/teams/${teamId}/members`, { userId: Number(userId) }, ctx.client.orgAuth(org))
        .then(() => applied()),
    async () => alreadyDone('already a member'),
  );
}

function leaveOrg(ctx: GrafanaApplyContext, op: OpOf<'removeMember'>): Promise<OpOutcome> {
  const org = { id: orgNumber(op.team.id), name: op.team.name };
  // Grafana answers 200 for a user not (or no longer) in the org.
  return on(
    [404],
    () =>
      ctx.client
        .send('DELETE', `api/orgs/${org.id}/users/${op.user.id}`, undefined, ctx.client.orgAuth(org))
        .then(() => applied()),
    async () => alreadyDone('not in the org'),
  );
}

function leaveTeam(ctx: GrafanaApplyContext, op: OpOf<'removeMember'>): Promise<OpOutcome> {
  return on(
    [404],
    () =>
      ctx.client
        .send(
          'DELETE',
          `api/teams/${op.team.id}/members/${op.user.id}`,
          undefined,
          ctx.client.orgAuth(orgOf(ctx, op.team)),
        )
        .then(() => applied()),
    async () => alreadyDone('not a member'),
  );
}

/**
 * PUT the whole team (Grafana 11.1+). Sending the list again after an applied-then-failed call sets
 * the same list. A 404 means a listed user is gone (deleted by hand since the read): the org's users
 * are read once, the missing ones left out and the write sent again, so one vanished account never
 * costs the team its other changes; the outcome names who was left out.
 */
async function setTeamMembers(ctx: GrafanaApplyContext, op: OpOf<'setMembers'>): Promise<OpOutcome> {
  const org = orgOf(ctx, op.team);
  const teamId = await teamIdOf(ctx, op.team);
  const adminEmails = new Set((op.admins ?? []).map((a) => a.email.toLowerCase()));
  const body = (present: (email: string) => boolean) => ({
    members: op.members.map((m) => m.email).filter((e) => !adminEmails.has(e.toLowerCase()) && present(e)),
    admins: (op.admins ?? []).map((a) => a.email).filter(present),
  });
  const put = (b: ReturnType<typeof body>) =>
    ctx.client.send('PUT', `api/teams/${teamId}/members`, b, ctx.client.orgAuth(org));
  try {
    await put(body(() => true));
    return applied();
  } catch (err) {
    if (!(err instanceof TargetHttpError) || err.status !== 404) throw err;
    const known = await orgUserEmails(ctx.client, org);
    const present = (e: string) => known.has(e.toLowerCase());
    const missing = [...op.members, ...(op.admins ?? [])].map((m) => m.email).filter((e) => !present(e));
    if (missing.length === 0) throw err;
    await put(body(present));
    return { status: 'applied', detail: `left out (no such user in the org): ${[...new Set(missing)].join(', ')}` };
  }
}

async function setOrgRole(ctx: GrafanaApplyContext, org: OrgContext, userId: string, role: string): Promise<void> {
  await ctx.client.send('PATCH', `api/orgs/${org.id}/users/${userId}`, { role }, ctx.client.orgAuth(org));
}

function orgOf(ctx: GrafanaApplyContext, team: TeamRef): OrgContext {
  const id = team.parent ? orgNumber(team.parent.id) : ctx.client.defaultOrgId;
  if (id === undefined) throw new UnresolvedRefError(`team "${team.name}" has no org`);
  return { id, name: team.parent?.name ?? ctx.orgName(id) };
}

async function on(
  statuses: number[],
  call: () => Promise<OpOutcome>,
  idempotent: () => Promise<OpOutcome>,
): Promise<OpOutcome> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof TargetHttpError && statuses.includes(err.status)) return idempotent();
    throw err;
  }
}

async function teamIdOf(ctx: GrafanaApplyContext, team: TeamRef): Promise<string> {
  const id = team.id ?? (await ctx.ids.teamId(team));
  if (id === undefined)
    throw new UnresolvedRefError(`team "${team.name}" has no id: the op that creates it did not succeed`);
  return id;
}

/** By id when known; else Grafana's lookup (org-scoped with a token, global as admin). */
async function userIdOf(ctx: GrafanaApplyContext, user: UserRef, org: OrgContext): Promise<string> {
  const known = user.id ?? (await ctx.ids.userId(user.sourceId, user.email));
  if (known !== undefined) return known;
  const q = encodeURIComponent(user.email);
  if (ctx.client.hasAdmin)
    return (
      await ctx.client.get(`api/users/lookup?loginOrEmail=${q}`, userSchema, ctx.client.adminAuth('looking up users'))
    ).id;
  const page = await ctx.client.get(
    `api/orgs/${org.id}/users/search?query=${q}&perpage=10&page=1`,
    orgUsersPageSchema,
    ctx.client.orgAuth(org),
  );
  const hit = page.orgUsers.find(
    (u) => u.email.toLowerCase() === user.email.toLowerCase() || u.login.toLowerCase() === user.email.toLowerCase(),
  );
  if (!hit) throw new UnresolvedRefError(`user ${user.email} is not in org "${org.name}"`);
  return hit.userId;
}

async function findTeamId(ctx: GrafanaApplyContext, org: OrgContext, name: string): Promise<string | undefined> {
  const page = await ctx.client.get(
    `api/teams/search?name=${encodeURIComponent(name)}&perpage=10&page=1`,
    teamsPageSchema,
    ctx.client.orgAuth(org),
  );
  return page.teams.find((t) => t.name.toLowerCase() === name.toLowerCase())?.id;
}
