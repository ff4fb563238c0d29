import type { z } from 'zod';
import { TargetReadIncompleteError } from '../../errors/index.js';
import type { Actual, TargetTeam, TargetUser } from '../../model/index.js';
import type { ChartioClient } from './client.js';
import { ADDED_FROM_DASHBOARD, teamsPageSchema, usersPageSchema } from './payloads.js';

interface Paged<T> {
  items: T[];
  requests: number;
}

/**
 * Read every user and team (with memberships) in ceil(U/100) + ceil(T/100) GETs: page 1 gives
 * `count`, the other pages are fetched concurrently. The read counts only when the items fetched
 * equal the API's count; otherwise it fails rather than shrink the target.
 */
export async function readActual(
  client: ChartioClient,
  concurrency = 4,
): Promise<{ actual: Actual; requests: number }> {
  const [users, teams] = await Promise.all([
    readAll(client, 'users', usersPageSchema, (p) => p.users, concurrency),
    readAll(client, 'teams', teamsPageSchema, (p) => p.teams, concurrency),
  ]);
  const actualUsers: TargetUser[] = users.items.map((u) => ({
    id: u.id,
    email: u.email,
    displayName: u.display_name ?? '',
    teamIds: (u._embedded?.teams ?? []).map((t) => t.id),
  }));
  const actualTeams: TargetTeam[] = teams.items.map((t) => ({
    id: t.id,
    name: t.name,
    ...(t.is_owner ? { keepsMember: true } : {}),
    ...(t.name === ADDED_FROM_DASHBOARD ? { unmanaged: 'only in-app dashboard sharing adds users to it' } : {}),
    memberIds: (t._embedded?.users ?? []).map((u) => u.id),
  }));
  return { actual: { users: actualUsers, teams: actualTeams }, requests: users.requests + teams.requests };
}

interface Page {
  count: number;
  _links: { next?: { href: string } | undefined };
}

/** Every item of a paged collection (`users`, `dashboards`, `dashboards/3/permissions`), checked against its count. */
export async function readAll<P extends Page, T extends { id: string }>(
  client: ChartioClient,
  collection: string,
  schema: z.ZodType<P>,
  itemsOf: (page: P) => T[],
  concurrency: number,
): Promise<Paged<T>> {
  const first = await client.get(collection, schema);
  const count = first.count;
  const pageSize = itemsOf(first).length;
  const items = [...itemsOf(first)];
  let requests = 1;
  const next = first._links.next?.href;
  const template = next && /([?&]page=)2(?=&|$)/.test(next) ? next : undefined;

  if (next && template && pageSize > 0) {
    const pages = Math.ceil(count / pageSize);
    const numbers = Array.from({ length: pages - 1 }, (_, i) => i + 2);
    const results = new Map<number, T[]>();
    await pool(numbers, concurrency, async (n) => {
      const page = await client.get(template.replace(/([?&]page=)2(?=&|$)/, `$1${n}`), schema);
      results.set(n, itemsOf(page));
    });
    requests += numbers.length;
    for (const n of numbers) items.push(...results.get(n)!);
  } else {
    // No page numbers in the links: follow `next` one page at a time.
    for (let href = next; href;) {
      const page = await client.get(href, schema);
      requests += 1;
      items.push(...itemsOf(page));
      href = page._links.next?.href;
    }
  }

  const unique = new Set(items.map((i) => i.id)).size;
  if (items.length !== count || unique !== count) {
    throw new TargetReadIncompleteError(
      `${collection}: the API reported ${count} but ${unique} distinct were read (${items.length} rows); the read is incomplete and nothing will be planned from it`,
    );
  }
  return { items, requests };
}

export async function pool<T>(items: T[], size: number, work: (item: T) => Promise<void>): Promise<void> {
  let i = 0;
  const runners = Array.from({ length: Math.min(size, items.length) }, async () => {
    while (i < items.length) await work(items[i++]!);
  });
  await Promise.all(runners);
}
