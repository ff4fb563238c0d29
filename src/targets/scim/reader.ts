import type { z } from 'zod';
import { TargetReadIncompleteError } from '../../errors/index.js';
import type { Actual, TargetTeam, TargetUser } from '../../model/index.js';
import type { ScimClient } from './client.js';
import { groupsPageSchema, usersPageSchema, type ScimGroup, type ScimUser } from './payloads.js';

export interface ScimReadOptions {
  pageSize: number;
  concurrency: number;
  /** The multi-valued attribute holding roles, when roles are configured. */
  roleAttribute?: 'roles' | 'entitlements';
  /** userName is an account name from a source attribute: read back as TargetUser.accountName. */
  accountNames?: boolean;
}

/** A user's address: the primary email, else the first, else the userName. */
export function emailOf(u: ScimUser): string {
  const emails = u.emails ?? [];
  const primary = emails.find((e) => e.primary === true || e.primary === 'true') ?? emails[0];
  return primary?.value ?? u.userName;
}

/**
 * Every page of a list, by startIndex (1-based) and count. Page 1 gives totalResults; the rest are
 * fetched a few at a time. The read counts only when the distinct resources read equal the total.
 */
async function readAll<T extends { id: string }>(
  client: ScimClient,
  endpoint: string,
  schema: z.ZodType<{ totalResults: number; Resources?: T[] | undefined }>,
  o: ScimReadOptions,
): Promise<{ items: T[]; requests: number }> {
  let requests = 0;
  const page = async (start: number) => {
    requests++;
    const body = await client.get(`${endpoint}?startIndex=${start}&count=${o.pageSize}`, schema);
    return { total: body.totalResults, items: body.Resources ?? [] };
  };
  const first = await page(1);
  const pages = new Map<number, T[]>([[1, first.items]]);
  // The server may answer fewer than asked (its own maximum): page by what it gave.
  const step = Math.max(1, first.items.length);
  const starts: number[] = [];
  for (let s = 1 + step; s <= first.total; s += step) starts.push(s);
  let next = 0;
  let total = first.total;
  await Promise.all(
    Array.from({ length: Math.min(o.concurrency, starts.length) }, async () => {
      while (next < starts.length) {
        const s = starts[next++]!;
        const p = await page(s);
        pages.set(s, p.items);
        if (p.total !== total) total = p.total;
      }
    }),
  );
  const byId = new Map<string, T>();
  for (const s of [...pages.keys()].sort((a, b) => a - b)) for (const it of pages.get(s)!) byId.set(it.id, it);
  if (byId.size !== total || total !== first.total) {
    throw new TargetReadIncompleteError(
      `${endpoint}: the server reported ${total} (first page: ${first.total}) but ${byId.size} distinct resources were read; the read is incomplete and nothing will be planned from it`,
    );
  }
  return { items: [...byId.values()], requests };
}

/** Users and groups, normalised; a user's groups come from the groups' member lists. */
export async function readScim(client: ScimClient, o: ScimReadOptions): Promise<{ actual: Actual; requests: number }> {
  const [users, groups] = await Promise.all([
    readAll<ScimUser>(client, 'Users', usersPageSchema, o),
    readAll<ScimGroup>(client, 'Groups', groupsPageSchema, o),
  ]);
  const teamIds = new Map<string, string[]>();
  const teams: TargetTeam[] = groups.items.map((g) => {
    const memberIds = (g.members ?? []).map((m) => m.value);
    for (const id of memberIds) teamIds.set(id, [...(teamIds.get(id) ?? []), g.id]);
    return { id: g.id, name: g.displayName, memberIds };
  });
  const out: TargetUser[] = users.items.map((u) => {
    const roles = o.roleAttribute ? (u[o.roleAttribute] ?? []).map((r) => r.value ?? '').filter((r) => r) : undefined;
    return {
      id: u.id,
      email: emailOf(u),
      displayName: u.displayName ?? '',
      teamIds: teamIds.get(u.id) ?? [],
      status: u.active === false ? 'disabled' : 'active',
      ...(u.name?.givenName !== undefined ? { givenName: u.name.givenName } : {}),
      ...(u.name?.familyName !== undefined ? { familyName: u.name.familyName } : {}),
      ...(roles ? { roles: { '': roles } } : {}),
      ...(o.accountNames ? { accountName: u.userName } : {}),
    };
  });
  return { actual: { users: out, teams, allUsersListed: true }, requests: users.requests + groups.requests };
}
