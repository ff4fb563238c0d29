import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createChartioEmulator, type ChartioEmulator } from '../../../src/emulators/chartio/index.js';
import { api, teamId, userId, type Api } from './support.js';

let emu: ChartioEmulator;
let http: Api;
const now = Date.UTC(2024, 5, 1, 12, 0, 0);

beforeAll(async () => {
  emu = await createChartioEmulator({
    rateLimit: false,
    now: () => now,
    maxPermissions: 3,
    preload: {
      teams: [{ name: 'Marketing', members: ['alice@example.com', 'bob@example.com'] }],
      dashboards: [{ title: 'Example Dashboard' }, { title: 'Revenue', linkSharingAccess: 'viewer' }],
      datasources: [{ alias: 'Data Warehouse', dstype: 'Redshift' }],
    },
  });
  http = api(emu);
});
afterAll(() => emu.close());
beforeEach(() => emu.reset());

describe('dashboards', () => {
  it('GET /dashboards 200: paginated list with self and permissions links', async () => {
    const res = await http.get('dashboards');

    expect(res.status).toBe(200);
    expect(res.body.count).toBe(2);
    expect(res.body.dashboards[0]).toEqual({
      _links: {
        self: { href: '/example-org/dashboards/1' },
        permissions: { href: '/example-org/dashboards/1/permissions' },
      },
      id: 1,
      slug: 'example-dashboard',
      title: 'Example Dashboard',
      link_sharing_access: 'none',
      created_at: '2024-06-01T12:00:00Z',
      updated_at: '2024-06-01T12:00:00Z',
    });
  });

  it('GET /dashboards/{id} 200 and 404', async () => {
    expect((await http.get('dashboards/2')).body.title).toBe('Revenue');
    const missing = await http.get('dashboards/9');
    expect(missing.status).toBe(404);
    expect(missing.body.message).toBe('Dashboard was not found.');
  });
});

describe('datasources', () => {
  it('GET /datasources 200 and GET /datasources/{id} 200/404', async () => {
    const list = await http.get('datasources');
    const one = await http.get('datasources/1');
    const missing = await http.get('datasources/9');

    expect(list.body.count).toBe(1);
    expect(one.body).toMatchObject({
      id: 1,
      alias: 'Data Warehouse',
      dstype: 'Redshift',
      slug: 'data-warehouse',
      last_refreshed_at: null,
    });
    expect(one.body._links['schema-sync'].href).toBe('/example-org/datasources/1/schema-sync/');
    expect(missing.status).toBe(404);
    expect(missing.body.message).toBe('DataSource was not found.');
  });

  it('PATCH 200 sets alias and last_refreshed_at; 400 when the time is not within 10 minutes', async () => {
    const ok = await http.patch('datasources/1', { alias: 'DW', last_refreshed_at: '2024-06-01T11:55:00Z' });
    const stale = await http.patch('datasources/1', { last_refreshed_at: '2024-05-01T00:00:00Z' });

    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ alias: 'DW', last_refreshed_at: '2024-06-01T11:55:00Z' });
    expect(stale.status).toBe(400);
  });

  it('schema sync: 202 with Location, then the task polls 200 (running) and 202 (done)', async () => {
    const start = await http.post('datasources/1/schema-sync');
    const location = start.headers.get('location')!;
    const path = location.replace('/example-org/', '');

    expect(start.status).toBe(202);
    expect(location).toBe(`/example-org/datasources/1/schema-sync/tasks/${start.body.task_id}`);
    expect((await http.get(path)).status).toBe(200);
    const done = await http.get(path);
    expect(done.status).toBe(202);
    expect(done.body.success).toBe(true);
  });
});

describe('permissions', () => {
  it('POST 201 creates, POST 200 updates the same subject; GET lists them', async () => {
    const team = teamId(emu, 'Marketing');

    const created = await http.post('dashboards/1/permissions', { team_id: team, access_level: 'editor' });
    const updated = await http.post('dashboards/1/permissions', { team_id: team, access_level: 'viewer' });
    const list = await http.get('dashboards/1/permissions');

    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      _embedded: { team: { id: team, name: 'Marketing' } },
      access_level: 'editor',
    });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ id: created.body.id, access_level: 'viewer' });
    expect(list.body.count).toBe(1);
    expect(list.body.permissions[0]._links.self.href).toBe(`/example-org/dashboards/1/permissions/${created.body.id}/`);
  });

  it('POST 400: unknown user or team, invalid level, or a level datasources do not have', async () => {
    const alice = userId(emu, 'alice@example.com');
    for (const [path, body] of [
      ['dashboards/1/permissions', { user_id: 999, access_level: 'viewer' }],
      ['dashboards/1/permissions', { team_id: 999, access_level: 'viewer' }],
      ['dashboards/1/permissions', { user_id: alice, access_level: 'owner' }],
      ['datasources/1/permissions', { user_id: alice, access_level: 'viewer' }],
    ] as const) {
      const res = await http.post(path, body);
      expect(res.status).toBe(400);
    }
    expect(emu.dump().dashboards[0]?.permissions).toEqual([]);
  });

  it('POST 400 past the per-resource permission cap', async () => {
    for (const email of ['owner@example.com', 'alice@example.com', 'bob@example.com']) {
      expect(
        (await http.post('datasources/1/permissions', { user_id: userId(emu, email), access_level: 'editor' })).status,
      ).toBe(201);
    }

    const res = await http.post('datasources/1/permissions', { team_id: 1, access_level: 'admin' });

    expect(res.status).toBe(400);
    expect(res.body.message).toBe('Permissions are limited to 3 per data source or dashboard.');
  });

  it('GET/PUT/PATCH/DELETE one permission: 200, 400, 404, 204', async () => {
    const alice = userId(emu, 'alice@example.com');
    const { body } = await http.post('datasources/1/permissions', { user_id: alice, access_level: 'editor' });
    const path = `datasources/1/permissions/${body.id}`;

    expect((await http.get(path)).body._embedded.user.email).toBe('alice@example.com');
    expect((await http.put(path, { access_level: 'admin' })).body.access_level).toBe('admin');
    expect((await http.patch(path, { access_level: 'editor' })).body.access_level).toBe('editor');
    const invalid = await http.patch(path, { access_level: 'viewer' });
    expect(invalid.status).toBe(400);
    expect(invalid.body.message).toBe('An invalid access level was provided.');
    expect((await http.del(path)).status).toBe(204);
    const gone = await http.get(path);
    expect(gone.status).toBe(404);
    expect(gone.body.message).toBe('Permission was not found.');
    expect((await http.del(path)).status).toBe(404);
  });

  it('deleting a user or team drops its permissions', async () => {
    await http.post('dashboards/2/permissions', { user_id: userId(emu, 'bob@example.com'), access_level: 'admin' });
    await http.post('dashboards/2/permissions', { team_id: teamId(emu, 'Marketing'), access_level: 'viewer' });

    await http.del('users/bob%40example.com');
    await http.del(`teams/${teamId(emu, 'Marketing')}`);

    expect(emu.dump().dashboards[1]?.permissions).toEqual([]);
  });
});
