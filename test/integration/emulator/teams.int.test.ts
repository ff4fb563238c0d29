import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createChartioEmulator, type ChartioEmulator } from '../../../src/emulators/chartio/index.js';
import { api, teamId, type Api } from './support.js';

let emu: ChartioEmulator;
let http: Api;

beforeAll(async () => {
  emu = await createChartioEmulator({
    rateLimit: false,
    maxTeams: 5,
    addedFromDashboard: true,
    preload: {
      teams: [
        { name: 'Sales', members: ['alice@example.com', 'bob@example.com'] },
        { name: 'Marketing', members: ['carol@example.com'] },
      ],
    },
  });
  http = api(emu);
});
afterAll(() => emu.close());
beforeEach(() => emu.reset());

const dashboardTeam = () => teamId(emu, 'Added from Dashboard');

describe('GET /teams', () => {
  it('200: lists teams, each with its users nested', async () => {
    const res = await http.get('teams');

    expect(res.status).toBe(200);
    expect(res.body.count).toBe(4);
    expect(res.body._links.self.href).toBe('/example-org/teams/');
    const sales = res.body.teams.find((t: any) => t.name === 'Sales');
    expect(sales).toMatchObject({ is_owner: false, _links: { self: { href: `/example-org/teams/${sales.id}/` } } });
    expect(sales._embedded.users.map((u: any) => u.email)).toEqual(['alice@example.com', 'bob@example.com']);
    expect(sales._embedded.users[0]).toEqual({
      _links: { self: { href: expect.stringMatching(/^\/example-org\/users\/\d+\/$/) } },
      id: expect.any(Number),
      email: 'alice@example.com',
      display_name: '',
    });
    expect(res.body.teams.find((t: any) => t.is_owner).name).toBe('Owners');
  });
});

describe('POST /teams', () => {
  it('201: creates the team with a Location header', async () => {
    const res = await http.post('teams', { name: 'Finance' });

    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toBe(`/example-org/teams/${res.body.id}/`);
    expect(res.body).toMatchObject({ name: 'Finance', is_owner: false, _embedded: { users: [] } });
    expect(emu.dump().teams.map((t) => t.name)).toContain('Finance');
  });

  it('400: no name', async () => {
    const res = await http.post('teams', { name: '   ' });
    expect(res.status).toBe(400);
  });

  it('403: at the team cap', async () => {
    expect((await http.post('teams', { name: 'Finance' })).status).toBe(201);

    const res = await http.post('teams', { name: 'Legal' });

    expect(res.status).toBe(403);
    expect(res.body.message).toBe('Orgs are limited to 5 teams.');
    expect(emu.dump().teams).toHaveLength(5);
  });

  it('409: a team with the same name, compared case-insensitively and trimmed', async () => {
    for (const name of ['Sales', ' sales ', 'OWNERS', 'added from dashboard']) {
      const res = await http.post('teams', { name });
      expect(res.status).toBe(409);
      expect(res.body.message).toBe('A team with the same name already exists.');
    }
  });
});

describe('GET /teams/{teamId}', () => {
  it('200: the team with its members', async () => {
    const res = await http.get(`teams/${teamId(emu, 'Marketing')}`);

    expect(res.status).toBe(200);
    expect(res.body._embedded.users.map((u: any) => u.email)).toEqual(['carol@example.com']);
  });

  it('404: unknown id or a non-numeric id', async () => {
    for (const ref of ['999', 'sales']) {
      const res = await http.get(`teams/${ref}`);
      expect(res.status).toBe(404);
      expect(res.body.message).toBe('The team was not found.');
    }
  });
});

describe('PATCH /teams/{teamId}', () => {
  it('200: renames the team', async () => {
    const id = teamId(emu, 'Sales');

    const res = await http.patch(`teams/${id}`, { name: 'Sales EMEA' });

    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id, name: 'Sales EMEA' });
    expect(emu.dump().teams.find((t) => t.id === id)?.name).toBe('Sales EMEA');
  });

  it('200: a change of case only is a rename of the same team', async () => {
    const res = await http.patch(`teams/${teamId(emu, 'Sales')}`, { name: 'SALES' });
    expect(res.status).toBe(200);
    expect(res.body.name).toBe('SALES');
  });

  it('400: no name', async () => {
    expect((await http.patch(`teams/${teamId(emu, 'Sales')}`, {})).status).toBe(400);
  });

  it('404: unknown team', async () => {
    expect((await http.patch('teams/999', { name: 'X' })).status).toBe(404);
  });

  it('405: the Owners and "Added from Dashboard" teams cannot be renamed', async () => {
    for (const ref of ['1', String(dashboardTeam())]) {
      const res = await http.patch(`teams/${ref}`, { name: 'Renamed' });
      expect(res.status).toBe(405);
      expect(res.body.message).toBe(
        'Attempted to modify the Owners or "Added from Dashboard" teams, which cannot be modified.',
      );
    }
    expect(emu.dump().teams.map((t) => t.name)).toEqual(['Owners', 'Added from Dashboard', 'Sales', 'Marketing']);
  });

  it('409: the new name is taken by another team', async () => {
    const res = await http.patch(`teams/${teamId(emu, 'Sales')}`, { name: 'marketing' });

    expect(res.status).toBe(409);
    expect(emu.dump().teams.map((t) => t.name)).toContain('Sales');
  });
});

describe('DELETE /teams/{teamId}', () => {
  it('204: deletes the team but not its users', async () => {
    const res = await http.del(`teams/${teamId(emu, 'Marketing')}`);

    expect(res.status).toBe(204);
    const dump = emu.dump();
    expect(dump.teams.map((t) => t.name)).not.toContain('Marketing');
    expect(dump.users.find((u) => u.email === 'carol@example.com')?.teams).toEqual([]);
  });

  it('404: unknown team', async () => {
    const res = await http.del('teams/999');
    expect(res.status).toBe(404);
    expect(res.body.message).toBe('The team was not found.');
  });

  it('405: the Owners and "Added from Dashboard" teams cannot be deleted', async () => {
    for (const ref of ['1', String(dashboardTeam())]) {
      const res = await http.del(`teams/${ref}`);
      expect(res.status).toBe(405);
      expect(res.body.message).toBe(
        'Attempted to delete the Owners or "Added from Dashboard" teams, which cannot be deleted.',
      );
    }
    expect(emu.dump().teams).toHaveLength(4);
  });
});

describe('/teams/owners', () => {
  it('GET 200: the Owners team with its members', async () => {
    const res = await http.get('teams/owners');

    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: 1,
      name: 'Owners',
      is_owner: true,
      _links: { self: { href: '/example-org/teams/1/' } },
    });
    expect(res.body._embedded.users.map((u: any) => u.email)).toEqual(['owner@example.com']);
  });

  it('PATCH 405: Owners cannot be renamed', async () => {
    const res = await http.patch('teams/owners', { name: 'Admins' });

    expect(res.status).toBe(405);
    expect(emu.dump().teams[0]?.name).toBe('Owners');
  });

  it('DELETE 405: Owners cannot be deleted', async () => {
    const res = await http.del('teams/owners');

    expect(res.status).toBe(405);
    expect(emu.dump().teams[0]?.name).toBe('Owners');
  });

  it('starts with a configurable owner', async () => {
    const other = await createChartioEmulator({ rateLimit: false, ownerEmail: 'root@corp.example' });
    try {
      const res = await api(other).get('teams/owners');
      expect(res.body._embedded.users.map((u: any) => u.email)).toEqual(['root@corp.example']);
    } finally {
      await other.close();
    }
  });
});
