import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createGrafanaEmulator, type GrafanaEmulator } from '../../../src/emulators/grafana/index.js';
import { api, basic, bearer, TOKEN } from './support.js';

let emu: GrafanaEmulator;
beforeAll(async () => {
  emu = await createGrafanaEmulator({
    tokens: [
      { token: TOKEN, orgId: 1, role: 'Admin' },
      { token: 'glsa_viewer', orgId: 1, role: 'Viewer' },
    ],
  });
});
afterAll(() => emu.close());
beforeEach(() => emu.reset());

const forbidden = (action: string) => ({
  status: 403,
  body: {
    message: `You'll need additional permissions to perform this action. Permissions needed: ${action}`,
    title: 'Access denied',
    accessErrorId: expect.stringMatching(/^ACE\d{10}$/),
  },
});

describe('authentication', () => {
  it('GET /api/health needs no auth and names the version', async () => {
    expect(await api(emu, { auth: null }).get('health')).toMatchObject({
      status: 200,
      body: { database: 'ok', version: '11.3.0' },
    });
  });

  it('no credentials (or another scheme) is 401 auth.unauthorized', async () => {
    const expected = {
      status: 401,
      body: { message: 'Unauthorized', messageId: 'auth.unauthorized', statusCode: 401, traceID: '' },
    };
    expect(await api(emu, { auth: null }).get('org')).toMatchObject(expected);
    expect(await api(emu, { auth: 'Digest abc' }).get('org')).toMatchObject(expected);
  });

  it('a wrong password or unknown user is 401 password-auth.failed', async () => {
    const expected = {
      status: 401,
      body: { message: 'Invalid username or password', messageId: 'password-auth.failed', statusCode: 401 },
    };
    expect(await api(emu, { auth: basic('admin', 'nope') }).get('org')).toMatchObject(expected);
    expect(await api(emu, { auth: basic('ghost', 'admin') }).get('org')).toMatchObject(expected);
  });

  it('an unknown token is 401 api-key.invalid', async () => {
    expect(await api(emu, { auth: bearer('glsa_nope') }).get('org')).toMatchObject({
      status: 401,
      body: { message: 'Invalid API key', messageId: 'api-key.invalid' },
    });
  });

  it('a token asked to act in another org is 401', async () => {
    emu.api.createOrg('Two');
    expect((await api(emu, { auth: bearer(TOKEN) }).get('org', { orgId: 2 })).status).toBe(401);
  });

  it('an unknown route is 404 "Not found" whatever the credentials', async () => {
    expect(await api(emu, { auth: null }).get('nope')).toMatchObject({ status: 404, body: { message: 'Not found' } });
    expect(await api(emu).call('PATCH', 'teams/1', {})).toMatchObject({ status: 404, body: { message: 'Not found' } });
  });
});

describe('authorization', () => {
  it('a service-account token gets 403 on server-admin routes', async () => {
    const sa = api(emu, { auth: bearer(TOKEN) });
    expect(await sa.post('admin/users', { login: 'x', password: 'secret1' })).toMatchObject(forbidden('users:create'));
    expect(await sa.get('orgs')).toMatchObject(forbidden('orgs:read'));
    expect(await sa.post('orgs', { name: 'x' })).toMatchObject(forbidden('orgs:create'));
    expect(await sa.get('users/search')).toMatchObject(forbidden('users:read'));
    expect(await sa.get('users/1')).toMatchObject(forbidden('users:read'));
  });

  it('/api/orgs/:orgId routes are judged in that org: an Admin token may use its own org, not another', async () => {
    const org2 = emu.api.createOrg('Two');
    const sa = api(emu, { auth: bearer(TOKEN) });
    emu.api.createUser({ login: 'amy', email: 'amy@example.com' });

    expect((await sa.get('orgs/1/users')).status).toBe(200);
    expect((await sa.get('orgs/1')).status).toBe(200);
    expect((await sa.patch('orgs/1/users/2', { role: 'Editor' })).status).toBe(200);
    expect(await sa.get(`orgs/${org2.id}/users`)).toMatchObject(forbidden('org.users:read'));
    expect(await sa.post(`orgs/${org2.id}/users`, { loginOrEmail: 'amy', role: 'Viewer' })).toMatchObject(
      forbidden('org.users:add'),
    );
    expect(await api(emu, { auth: bearer('glsa_viewer') }).get('orgs/1/users')).toMatchObject(
      forbidden('org.users:read'),
    );
    expect((await api(emu, { auth: bearer('glsa_viewer') }).get('orgs/1')).status).toBe(200);
  });

  it('a server admin may use /api/orgs/:orgId routes of an org it is not in', async () => {
    const org2 = emu.api.createOrg('Two');
    expect((await api(emu).get(`orgs/${org2.id}/users`)).status).toBe(200);
  });

  it('a Viewer token may read its org but not manage users or teams', async () => {
    const viewer = api(emu, { auth: bearer('glsa_viewer') });
    expect((await viewer.get('org')).status).toBe(200);
    expect(await viewer.get('org/users')).toMatchObject(forbidden('org.users:read'));
    expect(await viewer.post('teams', { name: 'x' })).toMatchObject(forbidden('teams:create'));
  });

  it('a Basic user that is not a server admin gets 403 on admin routes and acts by its org role', async () => {
    const u = emu.api.createUser({ login: 'amy', email: 'amy@example.com', password: 'secret1' });
    const amy = api(emu, { auth: basic('amy', 'secret1') });

    expect(await amy.get('users/search')).toMatchObject(forbidden('users:read'));
    expect(await amy.get('teams/search')).toMatchObject(forbidden('teams:read'));
    emu.api.setOrgRole(1, u.id, 'Admin');
    expect((await amy.get('teams/search')).status).toBe(200);
  });

  it('X-Grafana-Org-Id naming an org the user is not in is 403', async () => {
    const org2 = emu.api.createOrg('Two');
    expect(await api(emu).get('teams/search', { orgId: org2.id })).toMatchObject(forbidden('teams:read'));
    expect(await api(emu).get('org', { orgId: org2.id })).toMatchObject(forbidden('orgs:read'));
  });
});
