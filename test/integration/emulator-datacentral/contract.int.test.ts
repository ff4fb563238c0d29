import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDcEmulator, DEFAULT_API_KEY, type DcEmulator } from '../../../src/emulators/datacentral/index.js';
import { callApi } from '../../support/target-harness.js';

let emu: DcEmulator;
beforeAll(async () => {
  emu = await createDcEmulator();
});
afterAll(() => emu.close());
beforeEach(() => emu.reset());

/** Real HTTP; `path` is relative to /v1; a string body is sent as is. */
const call = (method: string, path: string, body?: unknown, auth: string | null = `Bearer ${DEFAULT_API_KEY}`) =>
  callApi(`${emu.url}/${path}`, method, body, { auth, ...(typeof body === 'string' ? { raw: body } : {}) });
const unit = async (name: string, parentId = 'root') =>
  (await call('POST', 'organization-units', { name, parentId })).body.id as string;
const user = async (email: string, extra: Record<string, unknown> = {}) =>
  call('POST', 'users', { type: 'UserPass', email, firstName: 'A', lastName: 'B', ...extra });
const owner = () => [...emu.state.users.values()][0]!;

describe('DataCentral emulator: the contract', () => {
  it('401 without the tenant key, in the error envelope', async () => {
    const r = await call('GET', 'users', undefined, null);
    expect(r.status).toBe(401);
    expect(r.body).toEqual({ error: { code: 'unauthorized', message: expect.any(String) } });
    expect((await call('GET', 'users', undefined, 'Bearer wrong')).status).toBe(401);
  });

  it('System roles Admin, User and ReportViewer always exist and cannot be created (409, any case)', async () => {
    const roles = (await call('GET', 'roles')).body;
    expect(roles.items.map((r: { name: string }) => r.name)).toEqual(['Admin', 'User', 'ReportViewer']);
    expect((await call('POST', 'roles', { name: 'admin', type: 'System' })).status).toBe(409);
    const made = await call('POST', 'roles', {
      name: 'EMEA Sales',
      type: 'RLS',
      code: 'Region_EMEA',
      description: 'x',
    });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ id: expect.any(String), name: 'EMEA Sales', type: 'RLS', code: 'Region_EMEA' });
    expect((await call('POST', 'roles', { name: 'emea sales', type: 'Report' })).status).toBe(409);
    expect((await call('POST', 'roles', { name: 'X', type: 'Other' })).status).toBe(400);
    expect((await call('PATCH', 'roles/x', { name: 'Y' })).status).toBe(405);
  });

  it('pages with page/pageSize (default 50, 1-200) and totalCount', async () => {
    for (let i = 0; i < 120; i++) await user(`u${i}@x.com`);
    const p1 = (await call('GET', 'users')).body;
    expect(p1).toMatchObject({ page: 1, pageSize: 50, totalCount: 121 });
    expect(p1.items).toHaveLength(50);
    const p3 = (await call('GET', 'users?page=3&pageSize=60')).body;
    expect(p3.items).toHaveLength(1);
    expect((await call('GET', 'users?pageSize=201')).status).toBe(400);
    expect((await call('GET', 'users?page=0')).status).toBe(400);
  });

  it('creates a user with roles and units; type is required; emails clash without regard to case (409)', async () => {
    const ou = await unit('Sales');
    const r = await user('Jane@X.com', { roles: ['user', 'ReportViewer'], organizationUnits: [ou] });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({
      id: expect.any(String),
      type: 'UserPass',
      email: 'Jane@X.com',
      roles: ['User', 'ReportViewer'],
      organizationUnits: [ou],
      createdAt: expect.any(String),
    });
    expect((await user('jane@x.com')).status).toBe(409);
    expect((await call('POST', 'users', { email: 'n@x.com' })).status).toBe(400);
    expect((await call('POST', 'users', { type: 'Ldap', email: 'n@x.com' })).status).toBe(400);
    expect((await call('GET', `users/${r.body.id}`)).body.email).toBe('Jane@X.com');
    expect((await call('GET', 'users/nope')).status).toBe(404);
  });

  it('400 for an unknown role or unit, or a duplicate in a list', async () => {
    const ou = await unit('Sales');
    expect((await user('a@x.com', { roles: ['Nope'] })).body.error.code).toBe('unknown_role');
    expect((await user('a@x.com', { organizationUnits: ['ou_nope'] })).body.error.code).toBe('unknown_unit');
    expect((await user('a@x.com', { roles: ['User', 'USER'] })).body.error.code).toBe('duplicate_role');
    expect((await user('a@x.com', { organizationUnits: [ou, ou] })).body.error.code).toBe('duplicate_unit');
  });

  it('PATCH replaces whole lists and names; immutable fields and an empty PATCH give 400', async () => {
    const [a, b] = [await unit('A'), await unit('B')];
    const id = (await user('a@x.com', { roles: ['User'], organizationUnits: [a] })).body.id;
    const r = await call('PATCH', `users/${id}`, { roles: ['ReportViewer'], organizationUnits: [b], lastName: 'C' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ roles: ['ReportViewer'], organizationUnits: [b], firstName: 'A', lastName: 'C' });
    for (const k of ['email', 'type', 'id', 'createdAt'])
      expect((await call('PATCH', `users/${id}`, { [k]: 'x' })).body.error.code).toBe('immutable_field');
    expect((await call('PATCH', `users/${id}`, {})).body.error.code).toBe('empty_update');
    expect((await call('PATCH', 'users/nope', { firstName: 'x' })).status).toBe(404);
  });

  it('the last Admin cannot lose the role or be deleted (400 last_admin); DELETE answers 204, then 404', async () => {
    const ownerId = owner().id;
    const r = await call('PATCH', `users/${ownerId}`, { roles: ['User'] });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('last_admin');
    expect((await call('DELETE', `users/${ownerId}`)).body.error.code).toBe('last_admin');
    const id = (await user('b@x.com', { roles: ['Admin'] })).body.id;
    expect((await call('DELETE', `users/${ownerId}`)).status).toBe(204);
    expect((await call('PATCH', `users/${id}`, { roles: [] })).status).toBe(400);
    expect((await call('DELETE', `users/${ownerId}`)).status).toBe(404);
  });

  it('units nest under a parent; names are unique among siblings (409), not across branches; an unknown parent is 400; sync answers 202; no delete (405)', async () => {
    const emea = await unit('EMEA');
    const apac = await unit('APAC');
    expect(
      (await call('POST', 'organization-units', { name: 'Sales', parentId: emea, entraGroupId: 'g-1' })).status,
    ).toBe(201);
    expect((await call('POST', 'organization-units', { name: 'sales', parentId: emea })).status).toBe(409);
    expect((await call('POST', 'organization-units', { name: 'Sales', parentId: apac })).status).toBe(201);
    expect((await call('POST', 'organization-units', { name: 'X', parentId: 'ou_nope' })).status).toBe(400);
    expect(emu.dump().units).toContainEqual({ path: 'EMEA/Sales', entraGroupId: 'g-1' });
    expect((await call('POST', `organization-units/${emea}/sync`)).status).toBe(202);
    // No unit rename or delete is documented: the route exists for no such method.
    expect((await call('DELETE', `organization-units/${emea}`)).status).toBe(405);
  });

  it('429 with Retry-After in seconds when the configured rate limit is crossed', async () => {
    emu.setOptions({ rateLimit: { max: 2, windowMs: 60_000 } });
    await call('GET', 'roles');
    await call('GET', 'roles');
    const r = await call('GET', 'roles');
    expect(r.status).toBe(429);
    expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(r.body.error.code).toBe('rate_limited');
    emu.setOptions({ rateLimit: false });
  });

  it('injected 5xx answer in the envelope; applied-then-5xx changes state', async () => {
    emu.setOptions({ appliedButErrorRate: 1 });
    const r = await user('z@x.com');
    expect(r.status).toBeGreaterThanOrEqual(500);
    expect(r.body.error.code).toBe('server_error');
    emu.setOptions({ appliedButErrorRate: 0 });
    expect((await user('z@x.com')).status).toBe(409);
  });
});
