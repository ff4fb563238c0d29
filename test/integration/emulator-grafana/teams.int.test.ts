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

describe('teams (/api/teams)', () => {
  it('POST creates a team and answers {teamId, uid, message}', async () => {
    const res = await sa().post('teams', { name: 'Ops', email: 'ops@example.com' });

    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ message: 'Team created', teamId: 1 });
    expect(typeof res.body.uid).toBe('string');
    expect(emu.dump().orgs[0]!.teams).toEqual([{ id: 1, name: 'Ops', email: 'ops@example.com', members: [] }]);
  });

  it('a taken name is 409 "Team name taken"; names compare case-sensitively (SQLite) and per org', async () => {
    await sa().post('teams', { name: 'Ops' });
    const org2 = emu.api.createOrg('Two');
    emu.api.createTeam(org2.id, 'Dev');

    const taken = await sa().post('teams', { name: 'Ops' });
    const otherCase = await sa().post('teams', { name: 'ops' });
    const otherOrg = await sa().post('teams', { name: 'Dev' });

    expect(taken).toMatchObject({ status: 409, body: { message: 'Team name taken' } });
    expect(otherCase.status).toBe(200);
    expect(otherOrg.status).toBe(200);
  });

  it('a missing name is 400 "bad request data"', async () => {
    expect(await sa().post('teams', { email: 'x@example.com' })).toMatchObject({
      status: 400,
      body: { message: 'bad request data' },
    });
    expect(await sa().post('teams', undefined, { raw: '{' })).toMatchObject({
      status: 400,
      body: { message: 'bad request data' },
    });
  });

  it('a Basic-auth user who creates a team becomes its Admin member; a token does not', async () => {
    const byUser = await api(emu).post('teams', { name: 'Ops' });
    const byToken = await sa().post('teams', { name: 'Dev' });

    const members = (id: number) => emu.dump().orgs[0]!.teams.find((t) => t.id === id)!.members;
    expect(members(byUser.body.teamId)).toEqual([{ userId: 1, login: 'admin', permission: 4 }]);
    expect(members(byToken.body.teamId)).toEqual([]);
  });

  it('GET /api/teams/search pages with perpage/page, filters by query and exact name, and counts all', async () => {
    for (const name of ['Alpha', 'Beta', 'Gamma', 'Delta']) emu.api.createTeam(1, name);
    const t = emu.api.createTeam(1, 'Epsilon');
    emu.api.addTeamMember(t.id, 1);

    const page = await sa().get('teams/search?perpage=2&page=2');
    const query = await sa().get('teams/search?query=ta');
    const byName = await sa().get('teams/search?name=Epsilon');
    const defaults = await sa().get('teams/search');

    expect(page.body).toMatchObject({ totalCount: 5, page: 2, perPage: 2 });
    expect(page.body.teams.map((x: any) => x.name)).toEqual(['Delta', 'Epsilon']);
    expect(query.body.teams.map((x: any) => x.name)).toEqual(['Beta', 'Delta']);
    expect(byName.body.teams).toHaveLength(1);
    expect(byName.body.teams[0]).toMatchObject({ id: t.id, orgId: 1, name: 'Epsilon', email: '', memberCount: 1 });
    expect(defaults.body).toMatchObject({ page: 1, perPage: 1000, totalCount: 5 });
  });

  it('search only sees the caller org', async () => {
    const org2 = emu.api.createOrg('Two');
    emu.api.createTeam(org2.id, 'Elsewhere');
    emu.api.createTeam(1, 'Here');
    expect((await sa().get('teams/search')).body.teams.map((x: any) => x.name)).toEqual(['Here']);
  });

  it('GET /api/teams/:id answers the team or 404 "Team not found" (also for another org\'s team)', async () => {
    const org2 = emu.api.createOrg('Two');
    const other = emu.api.createTeam(org2.id, 'Elsewhere');
    const t = emu.api.createTeam(1, 'Ops');

    expect(await sa().get(`teams/${t.id}`)).toMatchObject({
      status: 200,
      body: { id: t.id, name: 'Ops', memberCount: 0 },
    });
    expect(await sa().get(`teams/${other.id}`)).toMatchObject({ status: 404, body: { message: 'Team not found' } });
    expect(await sa().get('teams/x')).toMatchObject({ status: 400, body: { message: 'teamId is invalid' } });
  });

  it('PUT renames; a taken name is 400 here (409 only on create); an unknown team is a 500', async () => {
    const a = emu.api.createTeam(1, 'A');
    emu.api.createTeam(1, 'B');

    expect(await sa().put(`teams/${a.id}`, { name: 'A2' })).toMatchObject({
      status: 200,
      body: { message: 'Team updated' },
    });
    expect(await sa().put(`teams/${a.id}`, { name: 'B' })).toMatchObject({
      status: 400,
      body: { message: 'Team name taken' },
    });
    expect(await sa().put('teams/999', { name: 'Z' })).toMatchObject({
      status: 500,
      body: { message: 'Failed to update Team' },
    });
    expect(emu.state.teams.get(a.id)!.name).toBe('A2');
  });

  it('DELETE removes the team; an unknown id is 404 "Failed to delete Team. ID not found"', async () => {
    const t = emu.api.createTeam(1, 'Ops');
    expect(await sa().del(`teams/${t.id}`)).toMatchObject({ status: 200, body: { message: 'Team deleted' } });
    expect(await sa().del(`teams/${t.id}`)).toMatchObject({
      status: 404,
      body: { message: 'Failed to delete Team. ID not found' },
    });
    expect(emu.requestLog.map((e) => e.applied)).toEqual([true, false]);
  });
});
