import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createChartioEmulator, type ChartioEmulator } from '../../../src/emulators/chartio/index.js';
import { api, teamId, userId, type Api } from './support.js';

let emu: ChartioEmulator;
let http: Api;

beforeAll(async () => {
  emu = await createChartioEmulator({
    rateLimit: false,
    maxUsers: 6,
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

describe('GET /users', () => {
  it('200: lists users with their teams embedded and HAL links', async () => {
    const res = await http.get('users');

    expect(res.status).toBe(200);
    expect(res.body.count).toBe(4);
    expect(res.body._links.self.href).toBe('/example-org/users/');
    expect(res.body._links.next).toBeUndefined();
    const alice = res.body.users.find((u: any) => u.email === 'alice@example.com');
    expect(alice._links.self.href).toBe(`/example-org/users/${alice.id}/`);
    expect(alice._embedded.teams).toEqual([
      {
        _links: { self: { href: `/example-org/teams/${teamId(emu, 'Sales')}/` } },
        id: teamId(emu, 'Sales'),
        name: 'Sales',
      },
    ]);
    expect(alice).toMatchObject({
      display_name: expect.any(String),
      created_at: expect.stringMatching(/Z$/),
      updated_at: expect.any(String),
    });
  });
});

describe('POST /users', () => {
  it('201: creates the user on the team, with a Location header', async () => {
    const sales = teamId(emu, 'Sales');

    const res = await http.post('users', { email: 'dave@example.com', team: { id: sales } });

    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toBe(`/example-org/users/${res.body.id}/`);
    expect(res.body).toMatchObject({ email: 'dave@example.com', _embedded: { teams: [{ id: sales, name: 'Sales' }] } });
    expect(emu.dump().users.find((u) => u.email === 'dave@example.com')?.teams).toEqual(['Sales']);
  });

  it('200: an existing email not on that team is added to the team, not duplicated', async () => {
    const marketing = teamId(emu, 'Marketing');

    const res = await http.post('users', { email: '  ALICE@example.com ', team: { id: marketing } });

    expect(res.status).toBe(200);
    expect(res.body.id).toBe(userId(emu, 'alice@example.com'));
    expect(emu.dump().users.find((u) => u.email === 'alice@example.com')?.teams).toEqual(['Sales', 'Marketing']);
    expect(emu.dump().users).toHaveLength(4);
  });

  it('400: no team, an unknown team, or a team id that is not an integer', async () => {
    for (const body of [
      { email: 'x@example.com' },
      { email: 'x@example.com', team: { id: 999 } },
      { email: 'x@example.com', team: { id: '2' } },
    ]) {
      const res = await http.post('users', body);
      expect(res.status).toBe(400);
      expect(res.body.message).toBe('An existing team must be provided.');
    }
    expect(emu.dump().users).toHaveLength(4);
  });

  it('400: a missing or invalid email', async () => {
    const res = await http.post('users', { email: 'not-an-email', team: { id: 1 } });

    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/email/);
  });

  it('403: at the user cap', async () => {
    const sales = teamId(emu, 'Sales');
    expect((await http.post('users', { email: 'u5@example.com', team: { id: sales } })).status).toBe(201);
    expect((await http.post('users', { email: 'u6@example.com', team: { id: sales } })).status).toBe(201);

    const res = await http.post('users', { email: 'u7@example.com', team: { id: sales } });

    expect(res.status).toBe(403);
    expect(res.body.message).toBe('Orgs are limited to 6 users.');
    expect(emu.dump().users).toHaveLength(6);
  });

  it('409: the email already exists on that team (case-insensitive, trimmed)', async () => {
    const res = await http.post('users', { email: ' Bob@Example.COM', team: { id: teamId(emu, 'Sales') } });

    expect(res.status).toBe(409);
    expect(res.body.message).toBe('User with matching email already exists in the org and on the specified team.');
  });
});

describe('GET /users/{userId}', () => {
  it('200: by id and by email', async () => {
    const id = userId(emu, 'carol@example.com');

    const byId = await http.get(`users/${id}`);
    const byEmail = await http.get(`users/${encodeURIComponent('CAROL@example.com')}`);

    expect(byId.status).toBe(200);
    expect(byId.body).toMatchObject({ id, email: 'carol@example.com', _embedded: { teams: [{ name: 'Marketing' }] } });
    expect(byEmail.status).toBe(200);
    expect(byEmail.body.id).toBe(id);
  });

  it('200: a trailing slash, as in HAL hrefs, is the same resource', async () => {
    const res = await http.get(`users/${userId(emu, 'carol@example.com')}/`);
    expect(res.status).toBe(200);
  });

  it('404: unknown id or email', async () => {
    for (const ref of ['9999', 'nobody@example.com']) {
      const res = await http.get(`users/${ref}`);
      expect(res.status).toBe(404);
      expect(res.body.message).toBe('User was not found.');
    }
  });
});

describe('DELETE /users/{userId}', () => {
  it('204: removes the user from every team and the org', async () => {
    const res = await http.del(`users/${encodeURIComponent('alice@example.com')}`);

    expect(res.status).toBe(204);
    expect(res.body).toBeUndefined();
    const dump = emu.dump();
    expect(dump.users.map((u) => u.email)).not.toContain('alice@example.com');
    expect(dump.teams.find((t) => t.name === 'Sales')?.members).toEqual(['bob@example.com']);
  });

  it('400: the user is the last member of the owners team', async () => {
    const res = await http.del('users/1');

    expect(res.status).toBe(400);
    expect(res.body.message).toBe('User was last member of the owners team.');
    expect(emu.dump().users.map((u) => u.email)).toContain('owner@example.com');
  });

  it('204: an owner who is not the last owner can be deleted', async () => {
    await http.patch('teams/owners/users', { email: 'bob@example.com' });

    const res = await http.del('users/1');

    expect(res.status).toBe(204);
    expect(emu.dump().teams.find((t) => t.isOwner)?.members).toEqual(['bob@example.com']);
  });

  it('404: unknown user, or deleted twice', async () => {
    const id = userId(emu, 'carol@example.com');
    expect((await http.del(`users/${id}`)).status).toBe(204);

    const res = await http.del(`users/${id}`);

    expect(res.status).toBe(404);
    expect(res.body.message).toBe('User was not found.');
  });
});
