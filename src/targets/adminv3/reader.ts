import { TargetReadIncompleteError } from '../../errors/index.js';
import type { Actual, TargetUser } from '../../model/index.js';
import type { AdminV3Client } from './client.js';
import { usersPageSchema, type V3User } from './payloads.js';

export interface AdminV3Read {
  actual: Actual;
  requests: number;
}

export const KEY_OWNER = "the API key's own user (the API refuses to demote, disable or delete it)";

/**
 * Every user, by limit/offset pages. Page 1 gives meta.total; the other pages are then fetched a
 * few at a time (each through the rate budget). The read counts only when the distinct users read
 * equal the total of the last page read: a user created or deleted while paging shifts the offsets,
 * and a shifted read could miss someone, so it fails rather than plan from it.
 */
export async function readAdminV3(
  client: AdminV3Client,
  o: { pageSize: number; concurrency: number; keyOwner?: string },
): Promise<AdminV3Read> {
  let requests = 0;
  const page = async (offset: number) => {
    requests += 1;
    return client.get(`users?limit=${o.pageSize}&offset=${offset}`, usersPageSchema);
  };
  const first = await page(0);
  const pages = new Map<number, V3User[]>([[0, first.data]]);
  let total = first.meta.total;
  const offsets: number[] = [];
  for (let off = o.pageSize; off < first.meta.total; off += o.pageSize) offsets.push(off);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(o.concurrency, offsets.length) }, async () => {
      while (next < offsets.length) {
        const off = offsets[next++]!;
        const body = await page(off);
        pages.set(off, body.data);
        if (body.meta.total !== total) total = body.meta.total;
      }
    }),
  );
  const byId = new Map<string, V3User>();
  for (const off of [...pages.keys()].sort((a, b) => a - b)) for (const u of pages.get(off)!) byId.set(u.id, u);
  if (byId.size !== total || total !== first.meta.total) {
    throw new TargetReadIncompleteError(
      `users: the API reported ${total} (first page: ${first.meta.total}) but ${byId.size} distinct users were read; the read is incomplete and nothing will be planned from it`,
    );
  }
  const owner = o.keyOwner?.trim().toLowerCase();
  const users: TargetUser[] = [...byId.values()].map((u) => ({
    id: u.id,
    email: u.email,
    displayName: u.name ?? '',
    teamIds: [],
    roles: { '': [u.role] },
    status: u.status,
    ...(owner !== undefined && u.email.trim().toLowerCase() === owner ? { untouchable: KEY_OWNER } : {}),
  }));
  return { actual: { users, teams: [], allUsersListed: true }, requests };
}
