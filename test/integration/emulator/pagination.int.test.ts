import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChartioEmulator, type ChartioEmulator } from '../../../src/emulators/chartio/index.js';
import { api, type Api } from './support.js';

/** 10,000 users (the cap) and 2,000 teams (the cap) of 5 members each, preloaded without HTTP. */
let emu: ChartioEmulator;
let http: Api;

beforeAll(async () => {
  const users = Array.from({ length: 9_999 }, (_, i) => `user${i}@example.com`);
  const teams = Array.from({ length: 1_999 }, (_, i) => ({
    name: `Team ${i}`,
    members: users.slice((i * 5) % 9_995, ((i * 5) % 9_995) + 5),
  }));
  emu = await createChartioEmulator({ rateLimit: false, preload: { teams, users } });
  http = api(emu);
});
afterAll(() => emu.close());

/** Follows _links.next from page 1, resolving the spec-style hrefs (no /v1) against the API root. */
async function readAll(collection: 'users' | 'teams') {
  const pages: any[] = [];
  let res = await http.get(collection);
  pages.push(res.body);
  while (res.body._links.next) {
    const href: string = res.body._links.next.href;
    const full = await fetch(`${emu.url}/v1${href}`, {
      headers: { authorization: `Basic ${Buffer.from('emulator-key:emulator-secret').toString('base64')}` },
    });
    res = { status: full.status, headers: full.headers, body: await full.json() };
    expect(res.status).toBe(200);
    pages.push(res.body);
  }
  return pages;
}

describe('pagination', () => {
  it('users: 100 per page, count is the total, next on every page but the last, previous from page 2', async () => {
    const pages = await readAll('users');

    expect(pages).toHaveLength(100);
    expect(pages.every((p) => p.count === 10_000)).toBe(true);
    expect(pages.every((p) => p.users.length === 100)).toBe(true);
    expect(pages[0]._links).toEqual({
      self: { href: '/example-org/users/' },
      next: { href: '/example-org/users/?page=2' },
    });
    expect(pages[1]._links).toEqual({
      self: { href: '/example-org/users/?page=2' },
      next: { href: '/example-org/users/?page=3' },
      previous: { href: '/example-org/users/?page=1' },
    });
    expect(pages.at(-1)._links.next).toBeUndefined();
    const ids = pages.flatMap((p) => p.users.map((u: any) => u.id));
    expect(new Set(ids).size).toBe(10_000);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
  });

  it('teams: 20 pages of 100, each team with its users nested', async () => {
    const pages = await readAll('teams');

    expect(pages).toHaveLength(20);
    expect(pages.at(-1).teams).toHaveLength(100);
    expect(pages.at(-1)._links.next).toBeUndefined();
    const teams = pages.flatMap((p) => p.teams);
    expect(teams).toHaveLength(2_000);
    expect(teams.filter((t) => t.name.startsWith('Team ')).every((t) => t._embedded.users.length === 5)).toBe(true);
  });

  it('a partial last page and a page past the end', async () => {
    emu.setOptions({ pageSize: 300 });
    try {
      const last = await http.get('users?page=34');
      expect(last.status).toBe(200);
      expect(last.body.users).toHaveLength(100);
      expect(last.body._links.next).toBeUndefined();
      expect(last.body._links.previous.href).toBe('/example-org/users/?page=33');

      for (const page of ['35', '0', 'abc']) {
        const res = await http.get(`users?page=${page}`);
        expect(res.status).toBe(404);
        expect(res.body.message).toBe('Invalid page.');
      }
    } finally {
      emu.setOptions({ pageSize: 100 });
    }
  });

  it('an empty collection is one page with count 0', async () => {
    const res = await http.get('dashboards');

    expect(res.status).toBe(200);
    expect(res.body).toEqual({ _links: { self: { href: '/example-org/dashboards/' } }, count: 0, dashboards: [] });
  });

  it('POST /users at the 10,000 cap: 403', async () => {
    const res = await http.post('users', { email: 'one-more@example.com', team: { id: 1 } });

    expect(res.status).toBe(403);
    expect(res.body.message).toBe('Orgs are limited to 10,000 users.');
  });

  it('POST /teams at the 2,000 cap: 403', async () => {
    const res = await http.post('teams', { name: 'One more' });

    expect(res.status).toBe(403);
    expect(res.body.message).toBe('Orgs are limited to 2,000 teams.');
  });
});
