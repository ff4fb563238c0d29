import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createGrafanaEmulator, type GrafanaEmulator } from '../../../src/emulators/grafana/index.js';
import { api, basic } from './support.js';

let emu: GrafanaEmulator;
beforeAll(async () => {
  emu = await createGrafanaEmulator();
});
afterAll(() => emu.close());
beforeEach(() => {
  emu.setOptions({ autoAssignOrg: true, autoAssignOrgId: 1, autoAssignOrgRole: 'Viewer' });
  emu.reset();
});

const admin = () => api(emu);

describe('global users (/api/admin/users, /api/users)', () => {
  it('POST /api/admin/users creates a user in the main org as Viewer (auto_assign_org) and answers {id, uid, message}', async () => {
    const res = await admin().post('admin/users', {
      name: 'Amy',
      email: 'amy@example.com',
      login: 'amy',
      password: 'secret1',
    });

    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: 2, message: 'User created' });
    expect(emu.dump().users.find((u) => u.id === 2)).toMatchObject({
      login: 'amy',
      orgId: 1,
      orgIds: [1],
      isAdmin: false,
    });
    expect(emu.state.orgs.get(1)!.users.get(2)).toBe('Viewer');
  });

  it('OrgId puts the user in that org; an unknown OrgId is 400', async () => {
    const org2 = emu.api.createOrg('Two');
    const res = await admin().post('admin/users', { email: 'amy@example.com', password: 'secret1', OrgId: org2.id });
    const bad = await admin().post('admin/users', { email: 'bob@example.com', password: 'secret1', OrgId: 99 });

    expect(res.status).toBe(200);
    expect(emu.dump().users.find((u) => u.id === res.body.id)).toMatchObject({
      login: 'amy@example.com',
      orgIds: [org2.id],
    });
    expect(bad).toMatchObject({ status: 400, body: { message: 'organization not found' } });
  });

  it('with auto_assign_org off the user gets a new org named after it, as its Admin', async () => {
    emu.setOptions({ autoAssignOrg: false });
    const res = await admin().post('admin/users', {
      login: 'amy',
      email: 'amy@example.com',
      password: 'secret1',
      OrgId: 1,
    });
    const org = emu.state.orgByName('amy@example.com')!;
    expect(org.users.get(res.body.id)).toBe('Admin');
    expect(emu.state.orgs.get(1)!.users.has(res.body.id)).toBe(false);
  });

  it('a taken login or email (either way round, any case) is 412 naming both form values', async () => {
    await admin().post('admin/users', { login: 'amy', email: 'amy@example.com', password: 'secret1' });

    const sameLogin = await admin().post('admin/users', {
      login: 'AMY',
      email: 'other@example.com',
      password: 'secret1',
    });
    const emailAsLogin = await admin().post('admin/users', { email: 'amy@example.com', password: 'secret1' });

    expect(sameLogin).toMatchObject({
      status: 412,
      body: { message: "User with email 'other@example.com' or username 'AMY' already exists" },
    });
    expect(emailAsLogin).toMatchObject({
      status: 412,
      body: { message: "User with email 'amy@example.com' or username '' already exists" },
    });
  });

  it("no login and no email, or a short password, is 400 with Grafana's messages", async () => {
    expect(await admin().post('admin/users', { name: 'x', password: 'secret1' })).toMatchObject({
      status: 400,
      body: { message: 'Validation error, need specify either username or email' },
    });
    expect(await admin().post('admin/users', { login: 'x', password: 'abc' })).toMatchObject({
      status: 400,
      body: { message: 'Password is missing or too short' },
    });
  });

  it('a created user can call with Basic auth; DELETE /api/admin/users/:id removes it everywhere', async () => {
    const created = await admin().post('admin/users', { login: 'amy', email: 'amy@example.com', password: 'secret1' });
    const t = emu.api.createTeam(1, 'Ops');
    emu.api.addTeamMember(t.id, created.body.id);

    expect((await api(emu, { auth: basic('amy', 'secret1') }).get('org')).status).toBe(200);
    expect(await admin().del(`admin/users/${created.body.id}`)).toMatchObject({
      status: 200,
      body: { message: 'User deleted' },
    });
    expect(await admin().del(`admin/users/${created.body.id}`)).toMatchObject({
      status: 404,
      body: { message: 'user not found' },
    });
    expect(emu.state.teams.get(t.id)!.members.size).toBe(0);
  });

  it('GET /api/users/search pages with perpage/page and answers {totalCount, users, page, perPage}', async () => {
    for (const l of ['cat', 'bee', 'ant'])
      emu.api.createUser({ login: l, email: `${l}@example.com`, name: l.toUpperCase() });

    const res = await admin().get('users/search?perpage=2&page=1');
    const q = await admin().get('users/search?query=BEE');

    expect(res.body).toMatchObject({ totalCount: 4, page: 1, perPage: 2 });
    expect(res.body.users.map((u: any) => u.login)).toEqual(['admin', 'ant']);
    expect(res.body.users[0]).toMatchObject({
      id: 1,
      login: 'admin',
      email: 'admin@localhost',
      isAdmin: true,
      isDisabled: false,
    });
    expect(q.body.users.map((u: any) => u.login)).toEqual(['bee']);
    const plain = await admin().get('users?perpage=3');
    expect(plain.body.map((u: any) => u.login)).toEqual(['admin', 'ant', 'bee']);
  });

  it('GET /api/users/lookup and /api/users/:id answer the profile or 404 "user not found"', async () => {
    const u = emu.api.createUser({ login: 'amy', email: 'amy@example.com', name: 'Amy' });

    expect(await admin().get('users/lookup?loginOrEmail=AMY@example.com')).toMatchObject({
      status: 200,
      body: { id: u.id, login: 'amy', isGrafanaAdmin: false, orgId: 1 },
    });
    expect(await admin().get(`users/${u.id}`)).toMatchObject({
      status: 200,
      body: { id: u.id, email: 'amy@example.com', name: 'Amy' },
    });
    expect(await admin().get('users/lookup?loginOrEmail=ghost')).toMatchObject({
      status: 404,
      body: { message: 'user not found' },
    });
    expect(await admin().get('users/999')).toMatchObject({ status: 404, body: { message: 'user not found' } });
  });
});

describe('admin orgs (/api/orgs)', () => {
  it('POST creates an org with the caller as its Admin; a taken name is 409', async () => {
    const res = await admin().post('orgs', { name: 'Two' });
    const again = await admin().post('orgs', { name: 'Two' });

    expect(res).toMatchObject({ status: 200, body: { orgId: 2, message: 'Organization created' } });
    expect(again).toMatchObject({ status: 409, body: { message: 'Organization name taken' } });
    expect(emu.state.orgs.get(2)!.users.get(1)).toBe('Admin');
  });

  it('GET /api/orgs, /api/orgs/:id and /api/orgs/name/:name; unknown ones 404 "Organization not found"', async () => {
    emu.api.createOrg('Beta Org');

    expect((await admin().get('orgs')).body).toEqual([
      { id: 2, name: 'Beta Org' },
      { id: 1, name: 'Main Org.' },
    ]);
    expect(await admin().get('orgs/2')).toMatchObject({
      status: 200,
      body: { id: 2, name: 'Beta Org', address: { city: '' } },
    });
    expect(await admin().get(`orgs/name/${encodeURIComponent('Main Org.')}`)).toMatchObject({
      status: 200,
      body: { id: 1 },
    });
    expect(await admin().get('orgs/9')).toMatchObject({ status: 404, body: { message: 'Organization not found' } });
    expect(await admin().get('orgs/name/Nope')).toMatchObject({
      status: 404,
      body: { message: 'Organization not found' },
    });
  });

  it('/api/orgs/:orgId/users adds, lists, changes and removes without deleting orphaned users', async () => {
    const org2 = emu.api.createOrg('Two');
    emu.api.setOrgRole(org2.id, 1, 'Admin');
    const u = emu.api.createUser({ login: 'amy', email: 'amy@example.com' });
    emu.api.removeOrgUser(1, u.id);

    expect(await admin().post(`orgs/${org2.id}/users`, { loginOrEmail: 'amy', role: 'Viewer' })).toMatchObject({
      status: 200,
      body: { userId: u.id },
    });
    expect((await admin().get(`orgs/${org2.id}/users`)).body.map((x: any) => x.login)).toEqual(['admin', 'amy']);
    expect((await admin().get(`orgs/${org2.id}/users/search?perpage=1`)).body).toMatchObject({
      totalCount: 2,
      perPage: 1,
    });
    expect((await admin().patch(`orgs/${org2.id}/users/${u.id}`, { role: 'Editor' })).status).toBe(200);
    expect(await admin().patch(`orgs/${org2.id}/users/1`, { role: 'Viewer' })).toMatchObject({ status: 400 });
    expect(await admin().del(`orgs/${org2.id}/users/${u.id}`)).toMatchObject({
      status: 200,
      body: { message: 'User removed from organization' },
    });
    expect(emu.state.users.get(u.id)).toMatchObject({ orgId: 0 });
  });

  it('adding to an unknown org is a 500 "Could not add user to organization"', async () => {
    expect(await admin().post('orgs/99/users', { loginOrEmail: 'admin', role: 'Viewer' })).toMatchObject({
      status: 500,
      body: { message: 'Could not add user to organization' },
    });
  });
});
