import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createChartioEmulator,
  SHARED_VIEWER_EMAIL,
  type ChartioEmulator,
} from '../../../src/emulators/chartio/index.js';
import { api, teamId, userId, type Api } from './support.js';

let emu: ChartioEmulator;
let http: Api;

beforeAll(async () => {
  emu = await createChartioEmulator({
    rateLimit: false,
    addedFromDashboard: true,
    preload: {
      teams: [
        { name: 'Sales', members: ['alice@example.com', 'bob@example.com'] },
        { name: 'Marketing', members: ['carol@example.com', 'bob@example.com'] },
      ],
    },
  });
  http = api(emu);
});
afterAll(() => emu.close());
beforeEach(() => emu.reset());

const teamsOf = (email: string) => emu.dump().users.find((u) => u.email === email)?.teams;

describe('PATCH /teams/{teamId}/users', () => {
  it('200: adds a user by id and answers the team body', async () => {
    const marketing = teamId(emu, 'Marketing');

    const res = await http.patch(`teams/${marketing}/users`, { id: userId(emu, 'alice@example.com') });

    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: marketing, name: 'Marketing', is_owner: false });
    expect(res.body._embedded.users.map((u: any) => u.email)).toEqual([
      'carol@example.com',
      'bob@example.com',
      'alice@example.com',
    ]);
    expect(teamsOf('alice@example.com')).toEqual(['Sales', 'Marketing']);
  });

  it('200: adds a user by email, case-insensitively', async () => {
    const res = await http.patch(`teams/${teamId(emu, 'Marketing')}/users`, { email: 'Alice@Example.com' });

    expect(res.status).toBe(200);
    expect(teamsOf('alice@example.com')).toEqual(['Sales', 'Marketing']);
  });

  it('400: neither id nor email', async () => {
    const res = await http.patch(`teams/${teamId(emu, 'Marketing')}/users`, { name: 'alice' });
    expect(res.status).toBe(400);
  });

  it('403: the org is over its user cap (the cap was lowered)', async () => {
    emu.setOptions({ maxUsers: 2 });
    try {
      const res = await http.patch(`teams/${teamId(emu, 'Marketing')}/users`, { email: 'alice@example.com' });

      expect(res.status).toBe(403);
      expect(res.body.message).toBe('Orgs are limited to 2 users.');
      expect(teamsOf('alice@example.com')).toEqual(['Sales']);
    } finally {
      emu.setOptions({ maxUsers: 10_000 });
    }
  });

  it('404: unknown user or unknown team', async () => {
    const unknownUser = await http.patch(`teams/${teamId(emu, 'Marketing')}/users`, { email: 'nobody@example.com' });
    const unknownTeam = await http.patch('teams/999/users', { email: 'alice@example.com' });

    expect(unknownUser.status).toBe(404);
    expect(unknownUser.body.message).toBe('User was not found.');
    expect(unknownTeam.status).toBe(404);
    expect(unknownTeam.body.message).toBe('The team was not found.');
  });

  it('405: users cannot be added to "Added from Dashboard"', async () => {
    const res = await http.patch(`teams/${teamId(emu, 'Added from Dashboard')}/users`, { email: 'alice@example.com' });

    expect(res.status).toBe(405);
    expect(res.body.message).toMatch(/can only be modified by sharing a dashboard/);
    expect(teamsOf('alice@example.com')).toEqual(['Sales']);
  });

  it('409: already a member', async () => {
    const res = await http.patch(`teams/${teamId(emu, 'Sales')}/users`, { id: userId(emu, 'bob@example.com') });

    expect(res.status).toBe(409);
    expect(res.body.message).toBe('User is already a member of this team.');
  });

  it('405: the collection is write-only (GET is not allowed)', async () => {
    const res = await http.get(`teams/${teamId(emu, 'Sales')}/users`);

    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('PATCH');
  });
});

describe('DELETE /teams/{teamId}/users/{userId}', () => {
  it('204: removes the membership (by id)', async () => {
    const res = await http.del(`teams/${teamId(emu, 'Sales')}/users/${userId(emu, 'bob@example.com')}`);

    expect(res.status).toBe(204);
    expect(teamsOf('bob@example.com')).toEqual(['Marketing']);
  });

  it('204: removes the membership (by email)', async () => {
    const res = await http.del(`teams/${teamId(emu, 'Marketing')}/users/${encodeURIComponent('BOB@example.com')}`);

    expect(res.status).toBe(204);
    expect(teamsOf('bob@example.com')).toEqual(['Sales']);
  });

  it('204: members can be removed from "Added from Dashboard"', async () => {
    const viewer = userId(emu, SHARED_VIEWER_EMAIL);
    await http.patch(`teams/${teamId(emu, 'Sales')}/users`, { id: viewer });

    const res = await http.del(`teams/${teamId(emu, 'Added from Dashboard')}/users/${viewer}`);

    expect(res.status).toBe(204);
    expect(teamsOf(SHARED_VIEWER_EMAIL)).toEqual(['Sales']);
  });

  it("400: the team is the user's only team", async () => {
    const res = await http.del(`teams/${teamId(emu, 'Sales')}/users/${userId(emu, 'alice@example.com')}`);

    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/^Users must belong to at least one team/);
    expect(teamsOf('alice@example.com')).toEqual(['Sales']);
  });

  it('404: the user is not a member, or does not exist', async () => {
    for (const ref of [String(userId(emu, 'carol@example.com')), 'nobody@example.com', '999']) {
      const res = await http.del(`teams/${teamId(emu, 'Sales')}/users/${ref}`);
      expect(res.status).toBe(404);
      expect(res.body.message).toBe('User was not a member of this team.');
    }
  });

  it('404: unknown team', async () => {
    expect((await http.del('teams/999/users/1')).status).toBe(404);
  });
});

describe('/teams/owners/users', () => {
  it('PATCH 200: adds an owner', async () => {
    const res = await http.patch('teams/owners/users', { email: 'carol@example.com' });

    expect(res.status).toBe(200);
    expect(res.body.is_owner).toBe(true);
    expect(res.body._embedded.users.map((u: any) => u.email)).toEqual(['owner@example.com', 'carol@example.com']);
  });

  it('PATCH 404: unknown user', async () => {
    expect((await http.patch('teams/owners/users', { id: 999 })).status).toBe(404);
  });

  it('PATCH 409: already an owner', async () => {
    expect((await http.patch('teams/owners/users', { id: 1 })).status).toBe(409);
  });

  it('PATCH 403: the org is over its user cap', async () => {
    emu.setOptions({ maxUsers: 1 });
    try {
      expect((await http.patch('teams/owners/users', { email: 'carol@example.com' })).status).toBe(403);
    } finally {
      emu.setOptions({ maxUsers: 10_000 });
    }
  });

  it('DELETE 204: removes an owner who has another team', async () => {
    await http.patch('teams/owners/users', { email: 'carol@example.com' });

    const res = await http.del(`teams/owners/users/${encodeURIComponent('carol@example.com')}`);

    expect(res.status).toBe(204);
    expect(teamsOf('carol@example.com')).toEqual(['Marketing']);
  });

  it('DELETE 400: the last member of Owners stays, even when in other teams', async () => {
    await http.patch(`teams/${teamId(emu, 'Sales')}/users`, { id: 1 });

    const res = await http.del('teams/owners/users/1');

    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/owners team must always have at least one member/);
    expect(emu.dump().teams[0]?.members).toEqual(['owner@example.com']);
  });

  it('DELETE 404: not an owner', async () => {
    expect((await http.del(`teams/owners/users/${userId(emu, 'alice@example.com')}`)).status).toBe(404);
  });
});
