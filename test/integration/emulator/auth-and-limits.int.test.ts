import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createChartioEmulator, type ChartioEmulator } from '../../../src/emulators/chartio/index.js';
import { api, basic, manualClock, type Api } from './support.js';

/** Every users, teams, membership and owners endpoint, with a body that would change state. */
const ENDPOINTS: Array<[string, string, unknown?]> = [
  ['GET', ''],
  ['GET', 'users'],
  ['POST', 'users', { email: 'zed@example.com', team: { id: 2 } }],
  ['GET', 'users/2'],
  ['DELETE', 'users/2'],
  ['GET', 'teams'],
  ['POST', 'teams', { name: 'Finance' }],
  ['GET', 'teams/2'],
  ['PATCH', 'teams/2', { name: 'Renamed' }],
  ['DELETE', 'teams/2'],
  ['PATCH', 'teams/2/users', { id: 1 }],
  ['DELETE', 'teams/2/users/3'],
  ['GET', 'teams/owners'],
  ['PATCH', 'teams/owners', { name: 'Admins' }],
  ['DELETE', 'teams/owners'],
  ['PATCH', 'teams/owners/users', { id: 2 }],
  ['DELETE', 'teams/owners/users/1'],
];

const preload = { teams: [{ name: 'Sales', members: ['alice@example.com', 'bob@example.com'] }] };

describe('authentication and org scope', () => {
  let emu: ChartioEmulator;
  let http: Api;
  beforeAll(async () => {
    emu = await createChartioEmulator({ rateLimit: false, apiKey: 'key-1', apiSecret: 's3cret', preload });
    http = api(emu);
  });
  afterAll(() => emu.close());
  beforeEach(() => emu.reset());

  it.each(ENDPOINTS)(
    '%s /%s: 401 without credentials, with a wrong secret, or a malformed header; nothing applied',
    async (method, path, body) => {
      const before = emu.dump();
      for (const auth of [null, basic('key-1', 'wrong'), basic('other-key', 's3cret'), 'Bearer s3cret', 'Basic !!!']) {
        const res = await http.call(method, path, body, { auth });
        expect(res.status).toBe(401);
        expect(res.headers.get('www-authenticate')).toMatch(/^Basic /);
        expect(res.body.message).toBe('Unauthorized. The provided api_key and secret combination is invalid.');
      }
      expect(emu.dump()).toEqual(before);
    },
  );

  it.each(ENDPOINTS)(
    '%s /%s: 403 with valid credentials on another org; nothing applied',
    async (method, path, body) => {
      const before = emu.dump();

      const res = await http.call(method, path, body, { org: 'other-org' });

      expect(res.status).toBe(403);
      expect(res.body.message).toBe(
        'Forbidden. The api_key is not allowed to access the content provided by the requested URL.',
      );
      expect(emu.dump()).toEqual(before);
    },
  );

  it('the secret never appears in the request log', async () => {
    await http.get('users');
    expect(JSON.stringify(emu.requestLog)).not.toContain('s3cret');
  });
});

describe('rate limit (sliding window per client IP)', () => {
  const clock = manualClock();
  let emu: ChartioEmulator;
  let http: Api;
  beforeAll(async () => {
    emu = await createChartioEmulator({ rateLimit: { max: 1, windowMs: 60_000 }, now: clock.now, preload });
    http = api(emu);
  });
  afterAll(() => emu.close());
  beforeEach(() => emu.reset());

  it.each(ENDPOINTS)(
    '%s /%s: 429 with Retry-After once the window is spent; not applied',
    async (method, path, body) => {
      expect((await http.get('users')).status).toBe(200);
      const before = emu.dump();

      const res = await http.call(method, path, body);

      expect(res.status).toBe(429);
      expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(emu.dump()).toEqual(before);
      expect(emu.requestLog.at(-1)).toMatchObject({ method, status: 429, applied: false, fault: 'rate-limited' });
    },
  );

  it('admits again when the window has passed; Retry-After counts down in whole seconds', async () => {
    emu.setOptions({ rateLimit: { max: 3, windowMs: 60_000 } });
    try {
      for (let i = 0; i < 3; i++) expect((await http.get('users')).status).toBe(200);
      const first = await http.get('users');
      expect(first.status).toBe(429);
      expect(first.headers.get('retry-after')).toBe('60');

      clock.advance(30_500);
      const second = await http.get('users');
      expect(second.status).toBe(429);
      expect(second.headers.get('retry-after')).toBe('30');

      clock.advance(29_500);
      expect((await http.get('users')).status).toBe(200);
      expect(emu.stats().rateLimited).toBe(2);
    } finally {
      emu.setOptions({ rateLimit: { max: 1, windowMs: 60_000 } });
    }
  });

  it('is a sliding window: requests leave it one by one, not all at a boundary', async () => {
    emu.setOptions({ rateLimit: { max: 2, windowMs: 60_000 } });
    try {
      expect((await http.get('users')).status).toBe(200);
      clock.advance(40_000);
      expect((await http.get('users')).status).toBe(200);
      clock.advance(21_000);

      expect((await http.get('users')).status).toBe(200);
      const refused = await http.get('users');

      expect(refused.status).toBe(429);
      expect(refused.headers.get('retry-after')).toBe('39');
    } finally {
      emu.setOptions({ rateLimit: { max: 1, windowMs: 60_000 } });
    }
  });

  it('rateLimit: false turns it off', async () => {
    emu.setOptions({ rateLimit: false });
    try {
      for (let i = 0; i < 5; i++) expect((await http.get('users')).status).toBe(200);
    } finally {
      emu.setOptions({ rateLimit: { max: 1, windowMs: 60_000 } });
    }
  });
});
