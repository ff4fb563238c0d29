import type { z } from 'zod';
import { TargetReadIncompleteError } from '../../errors/index.js';
import type { Actual, TargetTeam, TargetUser } from '../../model/index.js';
import type { GrafanaClient, OrgContext } from './client.js';
import {
  healthSchema,
  orgSchema,
  orgsSchema,
  orgUsersPageSchema,
  teamMembersSchema,
  teamsPageSchema,
  usersPageSchema,
  TEAM_ADMIN_PERMISSION,
} from './payloads.js';

const PAGE = 1000;

/**
 * Org and team ids are both small integers in Grafana: an org's container id carries a prefix so
 * the two never collide in one list. API paths take the number back (orgNumber).
 */
export const orgContainerId = (orgId: string) => `org-${orgId}`;
export const orgNumber = (containerId: string) => (containerId.startsWith('org-') ? containerId.slice(4) : containerId);

export interface GrafanaRead {
  actual: Actual;
  requests: number;
  version?: string;
  orgs: OrgContext[];
}

/**
 * Orgs, org users with their roles, teams with members, and (with admin credentials) every global
 * user with the server-admin flag. Only the orgs asked for are read (the default org and the ones
 * the mapping names). A paged read counts only when the items fetched equal Grafana's totalCount.
 */
export async function readGrafana(
  client: GrafanaClient,
  wantedOrgs: (string | number)[],
  concurrency = 4,
): Promise<GrafanaRead> {
  let requests = 0;
  const get = async <T>(path: string, schema: z.ZodType<T>, auth = {}) => {
    requests += 1;
    return client.get(path, schema, auth);
  };
  const health = await get('api/health', healthSchema);
  const orgs = await resolveOrgs(client, wantedOrgs, get);
  const containers: TargetTeam[] = [];
  const users = new Map<string, TargetUser>();
  const userFor = (id: string, email: string, name: string | undefined) => {
    let u = users.get(id);
    if (!u) users.set(id, (u = { id, email, displayName: name ?? '', teamIds: [], roles: {} }));
    return u;
  };

  if (client.hasAdmin) {
    // Every account, so people without one are known to be waiting, and server admins are never touched.
    for await (const u of paged(
      get,
      (p) => `api/users/search?perpage=${PAGE}&page=${p}`,
      usersPageSchema,
      (b) => b.users,
      'users',
      client.adminAuth('listing users'),
    )) {
      const rec = userFor(u.id, u.email, u.name);
      if (u.isAdmin || u.isGrafanaAdmin) rec.untouchable = 'Grafana server admin';
    }
  }
  for (const org of orgs) {
    const orgMembers: string[] = [];
    const orgUsers = await readOrgUsers(client, org, get);
    for (const ou of orgUsers) {
      const u = userFor(ou.userId, ou.email, ou.name);
      u.teamIds.push(orgContainerId(org.id));
      u.roles![orgContainerId(org.id)] = [ou.role];
      orgMembers.push(ou.userId);
    }
    containers.push({ id: orgContainerId(org.id), name: org.name, type: 'org', memberIds: orgMembers });

    const teams = await collect(
      paged(
        get,
        (p) => `api/teams/search?perpage=${PAGE}&page=${p}`,
        teamsPageSchema,
        (b) => b.teams,
        `org ${org.name} teams`,
        client.orgAuth(org),
      ),
    );
    const members = new Map<string, z.infer<typeof teamMembersSchema>>();
    await pool(teams, concurrency, async (t) => {
      members.set(t.id, await get(`api/teams/${t.id}/members`, teamMembersSchema, client.orgAuth(org)));
    });
    for (const t of teams) {
      const ms = members.get(t.id)!;
      for (const m of ms) users.get(m.userId)?.teamIds.push(t.id);
      const adminIds = ms.filter((m) => m.permission === TEAM_ADMIN_PERMISSION).map((m) => m.userId);
      containers.push({
        id: t.id,
        name: t.name,
        type: 'team',
        parentId: orgContainerId(org.id),
        memberIds: ms.map((m) => m.userId),
        ...(adminIds.length > 0 ? { adminIds } : {}),
      });
    }
  }
  return {
    actual: { users: [...users.values()], teams: containers, allUsersListed: client.hasAdmin },
    requests,
    orgs,
    ...(health.version ? { version: health.version } : {}),
  };
}

export type Get = <T>(path: string, schema: z.ZodType<T>, auth?: object) => Promise<T>;

/** An org's users with their roles, every page (the read counts only if it reaches totalCount). */
function readOrgUsers(client: GrafanaClient, org: OrgContext, get: Get) {
  return collect(
    paged(
      get,
      (p) => `api/orgs/${org.id}/users/search?perpage=${PAGE}&page=${p}`,
      orgUsersPageSchema,
      (b) => b.orgUsers,
      `org ${org.name} users`,
      client.orgAuth(org),
    ),
  );
}

/** The emails and logins (lower case) of an org's users, read whole: what a whole-team write may name. */
export async function orgUserEmails(client: GrafanaClient, org: OrgContext): Promise<Set<string>> {
  const users = await readOrgUsers(client, org, (path, schema, auth = {}) => client.get(path, schema, auth));
  return new Set(users.flatMap((u) => [u.email.toLowerCase(), u.login.toLowerCase()]));
}

async function resolveOrgs(client: GrafanaClient, wanted: (string | number)[], get: Get): Promise<OrgContext[]> {
  // The default token's own org; with admin credentials only, org 1 (Grafana's main org).
  const current = client.hasToken ? await get('api/org', orgSchema) : undefined;
  client.defaultOrgId = current?.id ?? '1';
  const all = client.hasAdmin
    ? await get('api/orgs', orgsSchema, client.adminAuth('listing orgs'))
    : [
        ...(current ? [current] : []),
        ...(await Promise.all(client.orgTokenAuths().map((auth) => get('api/org', orgSchema, auth)))),
      ];
  const out = new Map<string, OrgContext>();
  for (const w of [client.defaultOrgId, ...wanted]) {
    const hit = all.find((o) => o.id === String(w) || o.name.toLowerCase() === String(w).toLowerCase());
    if (hit) out.set(hit.id, { id: hit.id, name: hit.name });
  }
  return [...out.values()];
}

async function* paged<B, T>(
  get: Get,
  url: (page: number) => string,
  schema: z.ZodType<B>,
  items: (b: B) => T[],
  what: string,
  auth: object,
): AsyncGenerator<T> {
  let seen = 0;
  let total: number;
  for (let page = 1; ; page++) {
    const body = await get(url(page), schema, auth);
    const got = items(body);
    total = (body as { totalCount: number }).totalCount;
    seen += got.length;
    yield* got;
    if (got.length === 0 || seen >= total) break;
  }
  if (seen !== total)
    throw new TargetReadIncompleteError(
      `${what}: Grafana reported ${total} but ${seen} were read; the read is incomplete and nothing will be planned from it`,
    );
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

export async function pool<T>(items: T[], size: number, work: (item: T) => Promise<void>): Promise<void> {
  let i = 0;
  await Promise.all(
    Array.from({ length: Math.min(size, items.length) }, async () => {
      while (i < items.length) await work(items[i++]!);
    }),
  );
}
