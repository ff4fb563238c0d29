import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createGrafanaEmulator, type GrafanaEmulator } from '../../../src/emulators/grafana/index.js';
import { api, bearer, TOKEN } from './support.js';

let emu: GrafanaEmulator;
beforeAll(async () => {
  emu = await createGrafanaEmulator();
});
afterAll(() => emu.close());
beforeEach(() => emu.reset());

const sa = () => api(emu, { auth: bearer(TOKEN) });

describe('current org users (/api/org/users)', () => {
  it('GET /api/org answers the main org with its address block', async () => {
    const res = await sa().get('org');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      id: 1,
      name: 'Main Org.',
      address: { address1: '', address2: '', city: '', zipCode: '', state: '', country: '' },
    });
  });

  it('GET /api/org/users answers every member at once, sorted by login, with Grafana field names', async () => {
    emu.api.createUser({ login: 'zoe', email: 'zoe@example.com', name: 'Zoe' });
    emu.api.createUser({ login: 'bob', email: 'bob@example.com', name: 'Bob' });

    const res = await sa().get('org/users');

    expect(res.status).toBe(200);
    expect(res.body.map((u: any) => [u.login, u.role])).toEqual([
      ['admin', 'Admin'],
      ['bob', 'Viewer'],
      ['zoe', 'Viewer'],
    ]);
    expect(Object.keys(res.body[1])).toEqual(
      expect.arrayContaining(['orgId', 'userId', 'email', 'name', 'login', 'role', 'avatarUrl', 'lastSeenAt']),
    );
    expect(res.body[1]).toMatchObject({ orgId: 1, email: 'bob@example.com', name: 'Bob' });
    expect((await sa().get('org/users?query=zo')).body.map((u: any) => u.login)).toEqual(['zoe']);
    expect((await sa().get('org/users?limit=2')).body).toHaveLength(2);
  });

  it('GET /api/org/users/search pages with perpage/page and counts the whole set', async () => {
    for (let i = 0; i < 5; i++) emu.api.createUser({ login: `u${i}`, email: `u${i}@example.com` });

    const page2 = await sa().get('org/users/search?perpage=2&page=2');
    const filtered = await sa().get('org/users/search?query=u3');
    const defaults = await sa().get('org/users/search?perpage=0&page=0');

    expect(page2.body).toMatchObject({ totalCount: 6, page: 2, perPage: 2 });
    expect(page2.body.orgUsers.map((u: any) => u.login)).toEqual(['u1', 'u2']);
    expect(filtered.body.totalCount).toBe(1);
    expect(defaults.body).toMatchObject({ page: 1, perPage: 1000, totalCount: 6 });
  });

  it('POST adds a user by login or email (any case) and answers its userId', async () => {
    emu.api.setOrgRole(1, 'admin', 'Admin');
    const org2 = emu.api.createOrg('Two');
    const u = emu.api.createUser({ login: 'amy', email: 'Amy@Example.com' });
    emu.api.removeOrgUser(1, u.id);

    const res = await sa().post('org/users', { loginOrEmail: 'amy@example.com', role: 'editor' });

    expect(res.status).toBe(200);
    expect(res.body).toEqual({ message: 'User added to organization', userId: u.id });
    expect(emu.state.orgs.get(1)!.users.get(u.id)).toBe('Editor');
    expect(emu.state.orgs.get(org2.id)!.users.size).toBe(0);
    expect(emu.requestLog.at(-1)).toMatchObject({ method: 'POST', path: '/api/org/users', status: 200, applied: true });
  });

  it('POST for an unknown login or email is 404 "User not found"', async () => {
    const res = await sa().post('org/users', { loginOrEmail: 'ghost@example.com', role: 'Viewer' });
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ message: 'User not found' });
  });

  it('POST for a member already in the org is 409 and names the userId', async () => {
    const u = emu.api.createUser({ login: 'amy', email: 'amy@example.com' });
    const res = await sa().post('org/users', { loginOrEmail: 'amy', role: 'Viewer' });
    expect(res.status).toBe(409);
    expect(res.body).toEqual({ message: 'User is already member of this organization', userId: u.id });
    expect(emu.requestLog.at(-1)!.applied).toBe(false);
  });

  it('an invalid or missing role is 400 "bad request data" (role binding), an empty role means Viewer', async () => {
    const u = emu.api.createUser({ login: 'amy', email: 'amy@example.com' });
    emu.api.removeOrgUser(1, u.id);

    expect(await sa().post('org/users', { loginOrEmail: 'amy', role: 'Owner' })).toMatchObject({
      status: 400,
      body: { message: 'bad request data' },
    });
    expect(await sa().post('org/users', { loginOrEmail: 'amy' })).toMatchObject({
      status: 400,
      body: { message: 'bad request data' },
    });
    expect((await sa().post('org/users', { loginOrEmail: 'amy', role: '' })).status).toBe(200);
    expect(emu.state.orgs.get(1)!.users.get(u.id)).toBe('Viewer');
    expect(await sa().patch(`org/users/${u.id}`, { role: 'Boss' })).toMatchObject({
      status: 400,
      body: { message: 'bad request data' },
    });
  });

  it('PATCH changes the role; demoting the last Admin is 400 and rolls back', async () => {
    const u = emu.api.createUser({ login: 'amy', email: 'amy@example.com' });

    const promoted = await sa().patch(`org/users/${u.id}`, { role: 'Admin' });
    const demoteOne = await sa().patch('org/users/1', { role: 'Viewer' });
    const demoteLast = await sa().patch(`org/users/${u.id}`, { role: 'Editor' });

    expect(promoted).toMatchObject({ status: 200, body: { message: 'Organization user updated' } });
    expect(demoteOne.status).toBe(200);
    expect(demoteLast).toMatchObject({
      status: 400,
      body: { message: 'Cannot change role so that there is no organization admin left' },
    });
    expect(emu.state.orgs.get(1)!.users.get(u.id)).toBe('Admin');
  });

  it('PATCH for a user not in the org is a 500 (Grafana does not map that error)', async () => {
    const res = await sa().patch('org/users/999', { role: 'Viewer' });
    expect(res).toMatchObject({ status: 500, body: { message: 'Failed update org user' } });
  });

  it('DELETE removes the member and its team memberships in that org', async () => {
    const u = emu.api.createUser({ login: 'amy', email: 'amy@example.com' });
    const org2 = emu.api.createOrg('Two');
    emu.api.setOrgRole(org2.id, u.id, 'Viewer');
    const team = emu.api.createTeam(1, 'Ops');
    emu.api.addTeamMember(team.id, u.id);

    const res = await sa().del(`org/users/${u.id}`);

    expect(res).toMatchObject({ status: 200, body: { message: 'User removed from organization' } });
    expect(emu.state.orgs.get(1)!.users.has(u.id)).toBe(false);
    expect(emu.state.teams.get(team.id)!.members.has(u.id)).toBe(false);
    expect(emu.state.users.get(u.id)!.orgId).toBe(org2.id);
  });

  it('DELETE of a user left in no org deletes the user ("User deleted")', async () => {
    const u = emu.api.createUser({ login: 'amy', email: 'amy@example.com' });
    const res = await sa().del(`org/users/${u.id}`);
    expect(res).toMatchObject({ status: 200, body: { message: 'User deleted' } });
    expect(emu.state.users.has(u.id)).toBe(false);
  });

  it('DELETE of the last Admin is 400; of an unknown user a 500; of a non-member a no-op 200', async () => {
    const u = emu.api.createUser({ login: 'amy', email: 'amy@example.com' });
    emu.api.removeOrgUser(1, u.id);

    expect(await sa().del('org/users/1')).toMatchObject({
      status: 400,
      body: { message: 'Cannot remove last organization admin' },
    });
    expect(await sa().del('org/users/999')).toMatchObject({
      status: 500,
      body: { message: 'Failed to remove user from organization' },
    });
    const noop = await sa().del(`org/users/${u.id}`);
    expect(noop).toMatchObject({ status: 200, body: { message: 'User removed from organization' } });
    expect(emu.requestLog.at(-1)!.applied).toBe(false);
    expect(await sa().del('org/users/abc')).toMatchObject({ status: 400, body: { message: 'userId is invalid' } });
  });

  it('X-Grafana-Org-Id selects the org of a Basic-auth call', async () => {
    const org2 = emu.api.createOrg('Two');
    emu.api.setOrgRole(org2.id, 'admin', 'Admin');
    emu.api.createUser({ login: 'amy', email: 'amy@example.com' });

    const res = await api(emu).post('org/users', { loginOrEmail: 'amy', role: 'Editor' }, { orgId: org2.id });
    const org = await api(emu).get('org', { orgId: org2.id });

    expect(res.status).toBe(200);
    expect(org.body.name).toBe('Two');
    expect([...emu.state.orgs.get(org2.id)!.users.values()]).toEqual(['Admin', 'Editor']);
  });
});
