import { randomBytes } from 'node:crypto';
import { TargetHttpError } from '../../errors/index.js';
import type { Op, TeamRef, UserRef } from '../../model/index.js';
import { UnresolvedRefError, UnsupportedOpError } from '../op-errors.js';
import type { IdResolver, OpOutcome } from '../target.js';
import type { GrafanaClient, OrgContext } from './client.js';
import { orgNumber } from './reader.js';
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
  const { client } = ctx;
  await client.ensureDefaultOrg();
  switch (op.kind) {
    case 'createTeam': {
      const org = orgOf(ctx, op.team);
      return on(
        [409],
        () =>
          client
            .send('POST', 'api/teams', { name: op.team.name }, client.orgAuth(org))
            .then((r) => applied(client.parse(r, createdTeamSchema, 'POST', 'api/teams').teamId)),
        async () => alreadyDone('team exists', await findTeamId(ctx, org, op.team.name)),
      );
    }
    case 'renameTeam':
      return client
        .send('PUT', `api/teams/${op.team.id}`, { name: op.team.name }, client.orgAuth(orgOf(ctx, op.team)))
        .then(() => applied(op.team.id));
    case 'deleteTeam':
      return on(
        [404],
        () =>
          client
            .send('DELETE', `api/teams/${op.team.id}`, undefined, client.orgAuth(orgOf(ctx, op.team)))
            .then(() => applied()),
        async () => alreadyDone('team already gone'),
      );
    case 'createUser': {
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
            (await client.get(`api/users/lookup?loginOrEmail=${encodeURIComponent(op.user.email)}`, userSchema, auth))
              .id,
          ),
      );
      // Grafana places a new user in the org with its auto-assign role; set the one the rules give.
      if (op.role && op.role.toLowerCase() !== ctx.autoAssignRole.toLowerCase())
        await setOrgRole(ctx, org, out.createdId!, op.role);
      return out;
    }
    case 'addMember': {
      if (op.team.type === 'org') {
        const org = { id: orgNumber(op.team.id!), name: op.team.name };
        // /api/orgs/:orgId routes throughout: they work with the org's token or as server admin, and
        // removing through them never deletes the user (the current-org route does, for a user left in no org).
        const path = `api/orgs/${org.id}/users`;
        try {
          const r = await client.send(
            'POST',
            path,
            { loginOrEmail: op.user.email, role: op.role ?? 'Viewer' },
            client.orgAuth(org),
          );
          const uid = addedOrgUserSchema.safeParse(r.body).data?.userId;
          return applied(uid);
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
      const org = orgOf(ctx, op.team);
      const teamId = await teamIdOf(ctx, op.team);
      const userId = await userIdOf(ctx, op.user, org);
      return on(
        [400, 409],
        () =>
          client
            .send('POST', `api/teams/${teamId}/members`, { userId: Number(userId) }, client.orgAuth(org))
            .then(() => applied()),
        async () => alreadyDone('already a member'),
      );
    }
    case 'removeMember': {
      if (op.team.type === 'org') {
        const org = { id: orgNumber(op.team.id), name: op.team.name };
        // Grafana answers 200 for a user not (or no longer) in the org.
        return on(
          [404],
          () =>
            client
              .send('DELETE', `api/orgs/${org.id}/users/${op.user.id}`, undefined, client.orgAuth(org))
              .then(() => applied()),
          async () => alreadyDone('not in the org'),
        );
      }
      return on(
        [404],
        () =>
          client
            .send(
              'DELETE',
              `api/teams/${op.team.id}/members/${op.user.id}`,
              undefined,
              client.orgAuth(orgOf(ctx, op.team)),
            )
            .then(() => applied()),
        async () => alreadyDone('not a member'),
      );
    }
    case 'setMembers': {
      const org = orgOf(ctx, op.team);
      const teamId = await teamIdOf(ctx, op.team);
      const admins = new Set((op.admins ?? []).map((a) => a.email.toLowerCase()));
      const login = (u: UserRef) => u.email;
      const members = op.members.filter((m) => !admins.has(m.email.toLowerCase())).map(login);
      const keptAdmins = (op.admins ?? []).map(login);
      // The whole list: sending it again after an applied-then-failed call sets the same list.
      return client
        .send('PUT', `api/teams/${teamId}/members`, { members, admins: keptAdmins }, client.orgAuth(org))
        .then(() => applied());
    }
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
          client
            .send('DELETE', `api/admin/users/${op.user.id}`, undefined, client.adminAuth('deleting users'))
            .then(() => applied()),
        async () => alreadyDone('user already gone'),
      );
    default:
      // The capabilities rule the rest out (Grafana has no user status to set).
      throw new UnsupportedOpError(`${op.kind} is not a Grafana operation`);
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
