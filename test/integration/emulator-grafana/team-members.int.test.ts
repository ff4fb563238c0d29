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
const members = (teamId: number) =>
  emu
    .dump()
    .orgs.flatMap((o) => o.teams)
    .find((t) => t.id === teamId)!.members;

describe('team members (/api/teams/:id/members)', () => {
  it('POST {userId} adds a member; GET lists members with Grafana field names', async () => {
    const t = emu.api.createTeam(1, 'Ops');
    const u = emu.api.createUser({ login: 'amy', email: 'amy@example.com', name: 'Amy' });

    const add = await sa().post(`teams/${t.id}/members`, { userId: u.id });
    const list = await sa().get(`teams/${t.id}/members`);

    expect(add).toMatchObject({ status: 200, body: { message: 'Member added to Team' } });
    expect(list.body).toEqual([
      expect.objectContaining({
        orgId: 1,
        teamId: t.id,
        userId: u.id,
        email: 'amy@example.com',
        login: 'amy',
        name: 'Amy',
        permission: 0,
        labels: [],
      }),
    ]);
  });

  it('adding an existing member is 400 "User is already added to this team"', async () => {
    const t = emu.api.createTeam(1, 'Ops');
    emu.api.addTeamMember(t.id, 1);
    expect(await sa().post(`teams/${t.id}/members`, { userId: 1 })).toMatchObject({
      status: 400,
      body: { message: 'User is already added to this team' },
    });
  });

  it('a user of another org is added all the same (Grafana only checks that the user exists)', async () => {
    const t = emu.api.createTeam(1, 'Ops');
    const org2 = emu.api.createOrg('Two');
    const u = emu.api.createUser({ login: 'amy', email: 'amy@example.com' });
    emu.api.setOrgRole(org2.id, u.id, 'Viewer');
    emu.api.removeOrgUser(1, u.id);

    expect((await sa().post(`teams/${t.id}/members`, { userId: u.id })).status).toBe(200);
    expect(members(t.id).map((m) => m.userId)).toEqual([u.id]);
  });

  it('an unknown user or team is a 500 "Failed to add Member to Team"; a missing userId is 400', async () => {
    const t = emu.api.createTeam(1, 'Ops');
    expect(await sa().post(`teams/${t.id}/members`, { userId: 999 })).toMatchObject({
      status: 500,
      body: { message: 'Failed to add Member to Team' },
    });
    expect(await sa().post('teams/999/members', { userId: 1 })).toMatchObject({
      status: 500,
      body: { message: 'Failed to add Member to Team' },
    });
    expect(await sa().post(`teams/${t.id}/members`, {})).toMatchObject({
      status: 400,
      body: { message: 'bad request data' },
    });
    expect(await sa().post(`teams/${t.id}/members`, { userId: '1' })).toMatchObject({
      status: 400,
      body: { message: 'bad request data' },
    });
  });

  it('GET members of an unknown team is an empty list', async () => {
    expect(await sa().get('teams/999/members')).toMatchObject({ status: 200, body: [] });
  });

  it('DELETE removes a member; not a member is 404 "Team member not found"; unknown team 404 "Team not found"', async () => {
    const t = emu.api.createTeam(1, 'Ops');
    emu.api.addTeamMember(t.id, 1);

    expect(await sa().del(`teams/${t.id}/members/1`)).toMatchObject({
      status: 200,
      body: { message: 'Team Member removed' },
    });
    expect(await sa().del(`teams/${t.id}/members/1`)).toMatchObject({
      status: 404,
      body: { message: 'Team member not found' },
    });
    expect(await sa().del('teams/999/members/1')).toMatchObject({ status: 404, body: { message: 'Team not found' } });
    expect(await sa().del(`teams/${t.id}/members/999`)).toMatchObject({
      status: 500,
      body: { message: 'Failed to remove Member from Team' },
    });
  });

  it('PUT {members, admins} sets the whole team by email (11.1+), removing anyone not listed', async () => {
    const t = emu.api.createTeam(1, 'Ops');
    const a = emu.api.createUser({ login: 'a', email: 'a@example.com' });
    emu.api.createUser({ login: 'b', email: 'b@example.com' });
    const c = emu.api.createUser({ login: 'c', email: 'c@example.com' });
    emu.api.addTeamMember(t.id, a.id);
    emu.api.addTeamMember(t.id, c.id);

    const res = await sa().put(`teams/${t.id}/members`, { members: ['a@example.com'], admins: ['b@example.com'] });

    expect(res).toMatchObject({ status: 200, body: { message: 'Team memberships have been updated' } });
    expect(
      members(t.id)
        .map((m) => [m.login, m.permission])
        .sort(),
    ).toEqual([
      ['a', 0],
      ['b', 4],
    ]);
    expect(members(t.id).some((m) => m.userId === c.id)).toBe(false);
  });

  it('PUT with an unknown email (or a login) is 404 "user not found" and changes nothing', async () => {
    const t = emu.api.createTeam(1, 'Ops');
    emu.api.createUser({ login: 'amy', email: 'amy@example.com' });
    emu.api.addTeamMember(t.id, 1);

    expect(await sa().put(`teams/${t.id}/members`, { members: ['ghost@example.com'] })).toMatchObject({
      status: 404,
      body: { message: 'user not found' },
    });
    expect(await sa().put(`teams/${t.id}/members`, { members: ['amy'] })).toMatchObject({
      status: 404,
      body: { message: 'user not found' },
    });
    expect(members(t.id).map((m) => m.userId)).toEqual([1]);
    expect(await sa().put('teams/999/members', { members: [] })).toMatchObject({
      status: 404,
      body: { message: 'team not found' },
    });
  });

  it('PUT matches current members by their exact stored email: another case removes the member', async () => {
    const t = emu.api.createTeam(1, 'Ops');
    const u = emu.api.createUser({ login: 'amy', email: 'Amy@example.com' });
    emu.api.addTeamMember(t.id, u.id);

    const res = await sa().put(`teams/${t.id}/members`, { members: ['amy@example.com'] });

    expect(res.status).toBe(200);
    expect(members(t.id)).toEqual([]);
  });
});

describe('version gating of PUT /api/teams/:id/members', () => {
  it('a server older than 11.1.0 answers 404 "Not found" as for an unknown route; 11.1.0 has it', async () => {
    const old = await createGrafanaEmulator({ version: '11.0.2' });
    const first = await createGrafanaEmulator({ version: '11.1.0' });
    try {
      const t = old.api.createTeam(1, 'Ops');
      const res = await api(old, { auth: bearer(TOKEN) }).put(`teams/${t.id}/members`, { members: [] });
      expect(res).toMatchObject({ status: 404, body: { message: 'Not found' } });
      expect((await api(old).get(`teams/${t.id}/members`)).status).toBe(200);

      const t2 = first.api.createTeam(1, 'Ops');
      expect((await api(first, { auth: bearer(TOKEN) }).put(`teams/${t2.id}/members`, { members: [] })).status).toBe(
        200,
      );
    } finally {
      await old.close();
      await first.close();
    }
  });
});
