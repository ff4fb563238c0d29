import { afterEach, describe, expect, it } from 'vitest';
import {
  createAdminV3Emulator,
  DEFAULT_KEY,
  type AdminV3Emulator,
  type AdminV3EmulatorOptions,
} from '../../../src/emulators/adminv3/index.js';
import { callApi } from '../../support/target-harness.js';

let em: AdminV3Emulator | undefined;
afterEach(async () => {
  await em?.close();
  em = undefined;
});

async function start(o: AdminV3EmulatorOptions = {}) {
  em = await createAdminV3Emulator(o);
  return em;
}

/** Real HTTP; a string body is sent as is. */
const call = (method: string, path: string, body?: unknown, key: string | null = DEFAULT_KEY) =>
  callApi(`${em!.url}${path}`, method, body, {
    auth: key ? `Bearer ${key}` : null,
    ...(typeof body === 'string' ? { raw: body } : {}),
  });
const invite = (email: string, role = 'viewer') =>
  call('POST', '/v3/users', { email, name: email.split('@')[0], role });

describe('Admin API v3 emulator: the contract', () => {
  it('invites a user as pending; a second invitation of the address (any case) is 409 user_exists', async () => {
    await start();
    const r = await invite('mike@example.com', 'editor');
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ email: 'mike@example.com', role: 'editor', status: 'pending' });
    expect(r.body.id).toMatch(/^usr_/);
    const again = await invite('MIKE@example.com');
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'user_exists', status: 409 });
    expect(again.body.error.request_id).toMatch(/^req_/);
  });

  it('accepts invitations after the configured delay, or through the control endpoint', async () => {
    let t = 1_000_000;
    await start({ acceptInvitationsAfterMs: 500, now: () => t });
    const { body: u } = await invite('a@example.com');
    t += 499;
    expect((await call('GET', `/v3/users/${u.id}`)).body.status).toBe('pending');
    t += 1;
    expect((await call('GET', `/v3/users/${u.id}`)).body.status).toBe('active');

    em!.setOptions({ acceptInvitationsAfterMs: false });
    const { body: b } = await invite('b@example.com');
    const accepted = await fetch(`${em!.url}/_emulator/accept-invitations`, {
      method: 'POST',
      body: JSON.stringify({ email: 'b@example.com' }),
    });
    expect(await accepted.json()).toEqual({ accepted: 1 });
    expect((await call('GET', `/v3/users/${b.id}`)).body.status).toBe('active');
  });

  it('pages with limit 1-100 and offset; meta.total is the whole (filtered) count', async () => {
    await start();
    for (let i = 0; i < 25; i++) await invite(`u${i}@example.com`, i < 5 ? 'admin' : 'viewer');
    const page = await call('GET', '/v3/users?limit=10&offset=20');
    expect(page.body.data).toHaveLength(6);
    expect(page.body.meta).toEqual({ total: 26, limit: 10, offset: 20 });
    expect((await call('GET', '/v3/users')).body.meta.limit).toBe(20);
    expect((await call('GET', '/v3/users?role=admin&status=pending&limit=100')).body.meta.total).toBe(5);
    for (const bad of ['limit=0', 'limit=101', 'limit=x', 'offset=-1', 'role=owner', 'status=gone']) {
      const r = await call('GET', `/v3/users?${bad}`);
      expect(r.status, bad).toBe(400);
      expect(r.body.error.code).toBe('invalid_parameter');
    }
  });

  it('PATCH: role and status only; name, email, pending and an empty body are 400; disable then enable', async () => {
    await start();
    const { body: u } = await invite('p@example.com');
    expect((await call('PATCH', `/v3/users/${u.id}`, {})).body.error.code).toBe('empty_update');
    expect((await call('PATCH', `/v3/users/${u.id}`, { name: 'X' })).status).toBe(400);
    expect((await call('PATCH', `/v3/users/${u.id}`, { email: 'x@example.com' })).body.error.code).toBe(
      'immutable_field',
    );
    expect((await call('PATCH', `/v3/users/${u.id}`, { status: 'pending' })).body.error.code).toBe('invalid_status');
    expect((await call('PATCH', `/v3/users/${u.id}`, { role: 'owner' })).status).toBe(400);
    // Disabling a pending user revokes the invitation; enabling one who never accepted makes them pending again.
    expect((await call('PATCH', `/v3/users/${u.id}`, { status: 'disabled' })).body.status).toBe('disabled');
    const back = await call('PATCH', `/v3/users/${u.id}`, { status: 'active', role: 'admin' });
    expect(back.status).toBe(200);
    expect(back.body).toMatchObject({ status: 'pending', role: 'admin' });
    expect((await call('PATCH', '/v3/users/usr_nope', { role: 'viewer' })).status).toBe(404);
  });

  it("403 cannot_modify_own_user for the key's own user; a flag turns it off", async () => {
    await start();
    const own = em!.dump()[0]!;
    for (const body of [{ role: 'editor' }, { status: 'disabled' }]) {
      const r = await call('PATCH', `/v3/users/${own.id}`, body);
      expect(r.status).toBe(403);
      expect(r.body.error.code).toBe('cannot_modify_own_user');
    }
    expect((await call('DELETE', `/v3/users/${own.id}`)).body.error.code).toBe('cannot_modify_own_user');
    expect((await call('PATCH', `/v3/users/${own.id}`, { role: 'admin' })).status).toBe(200);
    em!.setOptions({ protectOwnUser: false });
    expect((await call('PATCH', `/v3/users/${own.id}`, { role: 'editor' })).status).toBe(200);
  });

  it('writes need an admin key (403 insufficient_permissions); reads do not; a flag turns it off', async () => {
    await start({
      keys: [
        { key: DEFAULT_KEY, email: 'owner@example.com' },
        { key: 'sk_test_viewer', email: 'v@example.com', role: 'viewer' },
      ],
    });
    expect((await call('GET', '/v3/users', undefined, 'sk_test_viewer')).status).toBe(200);
    const r = await call('POST', '/v3/users', { email: 'n@example.com', name: 'N' }, 'sk_test_viewer');
    expect(r.status).toBe(403);
    expect(r.body.error.code).toBe('insufficient_permissions');
    em!.setOptions({ enforcePermissions: false });
    expect((await call('POST', '/v3/users', { email: 'n@example.com', name: 'N' }, 'sk_test_viewer')).status).toBe(201);
  });

  it('401 invalid_api_key without a valid key; 404 and 405 in the envelope; DELETE is 204', async () => {
    await start();
    expect((await call('GET', '/v3/users', undefined, null)).body.error).toMatchObject({
      code: 'invalid_api_key',
      status: 401,
    });
    expect((await call('GET', '/v3/users', undefined, 'sk_test_other')).status).toBe(401);
    expect((await call('GET', '/v3/teams')).body.error.code).toBe('not_found');
    expect((await call('PUT', '/v3/users')).status).toBe(405);
    const { body: u } = await invite('d@example.com');
    expect((await call('DELETE', `/v3/users/${u.id}`)).status).toBe(204);
    expect((await call('DELETE', `/v3/users/${u.id}`)).status).toBe(404);
    expect((await call('POST', '/v3/users', '{nope')).body.error.code).toBe('invalid_json');
  });

  it('X-RateLimit-* on every answer, counted per key in fixed windows; 429 with Retry-After', async () => {
    let t = 60_000 * 1000 + 10_000;
    await start({ rateLimit: { max: 3, windowMs: 60_000, fixed: true }, now: () => t });
    const a = await call('GET', '/v3/users');
    expect(a.headers.get('x-ratelimit-limit')).toBe('3');
    expect(a.headers.get('x-ratelimit-remaining')).toBe('2');
    expect(a.headers.get('x-ratelimit-reset')).toBe(String(60_000 + 60));
    await call('GET', '/v3/nothing');
    expect((await call('GET', '/v3/users', undefined, null)).headers.get('x-ratelimit-remaining')).toBe('2');
    await call('GET', '/v3/users');
    const over = await call('GET', '/v3/users');
    expect(over.status).toBe(429);
    expect(over.body.error.code).toBe('rate_limited');
    expect(over.headers.get('retry-after')).toBe('50');
    expect(over.headers.get('x-ratelimit-remaining')).toBe('0');
    t += 50_000;
    expect((await call('GET', '/v3/users')).status).toBe(200);
  });

  it('faults: injected 5xx in the envelope, applied-then-5xx applies the write', async () => {
    await start({ appliedButErrorRate: 1 });
    const r = await invite('f@example.com');
    expect(r.status).toBeGreaterThanOrEqual(500);
    expect(r.body.error.code).toBe('server_error');
    expect(r.headers.get('x-ratelimit-limit')).toBe('1000');
    expect(em!.dump().map((u) => u.email)).toContain('f@example.com');
    em!.setOptions({ appliedButErrorRate: 0, errorRate: 1 });
    expect((await invite('g@example.com')).status).toBeGreaterThanOrEqual(500);
    expect(em!.dump().map((u) => u.email)).not.toContain('g@example.com');
  });
});
