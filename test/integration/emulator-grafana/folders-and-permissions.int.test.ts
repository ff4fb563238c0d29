import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createGrafanaEmulator, type GrafanaEmulator } from '../../../src/emulators/grafana/index.js';
import { api, bearer, TOKEN } from './support.js';

let emu: GrafanaEmulator;
beforeAll(async () => {
  emu = await createGrafanaEmulator();
});
afterAll(() => emu.close());
beforeEach(() => {
  emu.setOptions({
    version: '11.3.0',
    errorRate: 0,
    appliedButErrorRate: 0,
    tokens: [{ token: TOKEN, orgId: 1, role: 'Admin' }],
  });
  emu.reset();
});

const sa = () => api(emu, { auth: bearer(TOKEN) });
/** Basic auth as the server admin (user 1, Admin of org 1). */
const admin = () => api(emu);
const grants = (uid: string) => emu.api.grants(1, uid);

/** A folder "Ops" (uid ops) and a dashboard "Latency" (uid lat) in it, made by the admin over HTTP. */
async function opsFolderWithDashboard() {
  await admin().post('folders', { uid: 'ops', title: 'Ops' });
  await admin().post('dashboards/db', { dashboard: { uid: 'lat', title: 'Latency' }, folderUid: 'ops' });
}

describe('folders, dashboards and search', () => {
  it('a folder made by a user gets its creator as Admin and the Editor/Viewer defaults; one made by a token or nested gets no defaults', async () => {
    const root = await admin().post('folders', { uid: 'ops', title: 'Ops' });
    const byToken = await sa().post('folders', { uid: 'tok', title: 'Token made' });
    const nested = await admin().post('folders', { uid: 'sub', title: 'Sub', parentUid: 'ops' });

    expect(root).toMatchObject({
      status: 200,
      body: { uid: 'ops', title: 'Ops', url: '/dashboards/f/ops/ops', version: 1 },
    });
    expect(grants('ops')).toEqual([
      { subject: { kind: 'user', id: 1 }, level: 'Admin' },
      { subject: { kind: 'role', id: 'Editor' }, level: 'Edit' },
      { subject: { kind: 'role', id: 'Viewer' }, level: 'View' },
    ]);
    expect(byToken.status).toBe(200);
    expect(grants('tok').map((g) => g.subject.id)).toEqual(['Editor', 'Viewer']);
    expect(nested.body).toMatchObject({ parentUid: 'ops' });
    expect(grants('sub')).toEqual([{ subject: { kind: 'user', id: 1 }, level: 'Admin' }]);
  });

  it('folder errors: empty title 400, taken uid 409 (shared with dashboards), unknown 404 {status, message}', async () => {
    await opsFolderWithDashboard();

    expect(await sa().post('folders', { title: '  ' })).toMatchObject({
      status: 400,
      body: { message: 'folder title cannot be empty' },
    });
    expect(await sa().post('folders', { uid: 'lat', title: 'X' })).toMatchObject({
      status: 409,
      body: { message: 'a folder/dashboard with the same uid already exists' },
    });
    expect(await sa().post('folders', { uid: 'a b', title: 'X' })).toMatchObject({ status: 400 });
    expect(await sa().get('folders/nope')).toMatchObject({
      status: 404,
      body: { status: 'not-found', message: 'folder not found' },
    });
  });

  it('GET /api/folders pages one level by title; GET /api/dashboards/uid/:uid gives the folder in meta', async () => {
    for (const t of ['Charlie', 'alpha', 'Bravo']) await sa().post('folders', { uid: t.toLowerCase(), title: t });
    await sa().post('dashboards/db', { dashboard: { uid: 'd1', title: 'D' }, folderUid: 'bravo' });

    const page2 = await sa().get('folders?limit=2&page=2');
    const dash = await sa().get('dashboards/uid/d1');

    expect(page2.body).toEqual([{ id: 1, uid: 'charlie', title: 'Charlie' }]);
    expect(dash.body.meta).toMatchObject({ folderUid: 'bravo', folderTitle: 'Bravo', folderId: 3 });
    expect(await sa().get('dashboards/uid/nope')).toMatchObject({
      status: 404,
      body: { message: 'Dashboard not found' },
    });
  });

  it('dashboard saves: a taken uid needs overwrite (412 version-mismatch), a folder uid is 400, an unknown folder 400', async () => {
    await opsFolderWithDashboard();

    const taken = await sa().post('dashboards/db', { dashboard: { uid: 'lat', title: 'Latency 2' } });
    const overwritten = await sa().post('dashboards/db', {
      dashboard: { uid: 'lat', title: 'Latency 2' },
      folderUid: 'ops',
      overwrite: true,
    });
    const onFolder = await sa().post('dashboards/db', { dashboard: { uid: 'ops', title: 'X' }, overwrite: true });
    const noFolder = await sa().post('dashboards/db', { dashboard: { title: 'Y' }, folderUid: 'nope' });

    expect(taken).toMatchObject({
      status: 412,
      body: { status: 'version-mismatch', message: 'The dashboard has been changed by someone else' },
    });
    expect(overwritten).toMatchObject({
      status: 200,
      body: { uid: 'lat', version: 2, folderUid: 'ops', status: 'success' },
    });
    expect(onFolder).toMatchObject({ status: 400, body: { message: 'Dashboard cannot be changed to a folder' } });
    expect(noFolder).toMatchObject({ status: 400, body: { message: 'Folder not found' } });
  });

  it('search lists by type with folderUid/folderTitle on dashboards in a folder; limit above 5000 is 422', async () => {
    await opsFolderWithDashboard();
    await sa().post('dashboards/db', { dashboard: { uid: 'home', title: 'Home' } });

    const folders = await sa().get('search?type=dash-folder');
    const dashboards = await sa().get('search?type=dash-db&limit=1&page=2');
    const tooMany = await sa().get('search?limit=5001');

    expect(folders.body).toEqual([expect.objectContaining({ uid: 'ops', type: 'dash-folder', title: 'Ops' })]);
    expect(dashboards.body).toEqual([
      expect.objectContaining({
        uid: 'lat',
        type: 'dash-db',
        url: '/d/lat/latency',
        folderUid: 'ops',
        folderTitle: 'Ops',
        folderId: 1,
      }),
    ]);
    expect(tooMany).toMatchObject({
      status: 422,
      body: { message: 'Limit is above maximum allowed (5000), use page parameter to access hits beyond limit' },
    });
  });
});

describe('legacy permission lists (/api/folders/:uid/permissions, /api/dashboards/uid/:uid/permissions)', () => {
  it('GET lists the folder grants as DashboardACLInfoDTO with permission numbers', async () => {
    await opsFolderWithDashboard();

    const res = await sa().get('folders/ops/permissions');

    expect(res.status).toBe(200);
    expect(res.body).toHaveLength(3);
    expect(res.body[0]).toMatchObject({
      folderId: 1,
      userId: 1,
      userLogin: 'admin',
      permission: 4,
      permissionName: 'Admin',
      uid: 'ops',
      isFolder: true,
      inherited: false,
    });
    expect(res.body[1]).toMatchObject({ role: 'Editor', permission: 2, teamId: 0, userId: 0 });
    expect(res.body[0].role).toBeUndefined();
  });

  it("the dashboard GET lists its folder's grants as its own (inherited: false, the dashboard's uid and title)", async () => {
    await opsFolderWithDashboard();
    const team = emu.api.createTeam(1, 'SRE');
    emu.api.setGrant(1, 'ops', { kind: 'team', id: team.id }, 'Edit');

    const res = await sa().get('dashboards/uid/lat/permissions');

    const teamRow = res.body.find((r: { teamId: number }) => r.teamId === team.id);
    expect(teamRow).toMatchObject({
      uid: 'lat',
      title: 'Latency',
      dashboardId: 2,
      folderId: 1,
      permission: 2,
      inherited: false,
      isFolder: false,
    });
    expect(res.body.every((r: { inherited: boolean }) => r.inherited === false)).toBe(true);
    // Its own creator grant, then the folder's three and the team's.
    expect(res.body).toHaveLength(5);
  });

  it('a read-modify-write through the dashboard list copies the folder grants onto the dashboard', async () => {
    await opsFolderWithDashboard();
    const rows = (await sa().get('dashboards/uid/lat/permissions')).body as Array<Record<string, unknown>>;

    await sa().post('dashboards/uid/lat/permissions', {
      items: rows.map((r) => ({
        userId: r.userId,
        teamId: r.teamId,
        ...(r.role ? { role: r.role } : {}),
        permission: r.permission,
      })),
    });

    expect(grants('lat').map((g) => g.subject.id)).toEqual([1, 'Editor', 'Viewer']);
  });

  it('POST replaces the whole list: the creator Admin and the default role grants go unless sent', async () => {
    await opsFolderWithDashboard();
    const team = emu.api.createTeam(1, 'SRE');

    const res = await sa().post('folders/ops/permissions', { items: [{ teamId: team.id, permission: 1 }] });

    expect(res).toMatchObject({ status: 200, body: { message: 'Folder permissions updated' } });
    expect(grants('ops')).toEqual([{ subject: { kind: 'team', id: team.id }, level: 'View' }]);
  });

  it('a value other than 1, 2 or 4 removes the entry; duplicates apply in order (the last wins); a role of Admin is accepted', async () => {
    await opsFolderWithDashboard();
    const team = emu.api.createTeam(1, 'SRE');

    await sa().post('folders/ops/permissions', {
      items: [
        { userId: 1, permission: 3 },
        { teamId: team.id, permission: 1 },
        { teamId: team.id, permission: 4 },
        { role: 'Admin', permission: 2 },
      ],
    });

    expect(grants('ops')).toEqual([
      { subject: { kind: 'team', id: team.id }, level: 'Admin' },
      { subject: { kind: 'role', id: 'Admin' }, level: 'Edit' },
    ]);
  });

  it('an unknown team or user is a 500 and nothing changes', async () => {
    await opsFolderWithDashboard();
    const before = grants('ops');

    const team = await sa().post('folders/ops/permissions', { items: [{ teamId: 99, permission: 1 }] });
    const user = await sa().post('dashboards/uid/lat/permissions', { items: [{ userId: 99, permission: 1 }] });

    expect(team).toMatchObject({ status: 500, body: { message: 'Failed to create permission' } });
    expect(user).toMatchObject({ status: 500, body: { message: 'Failed to update permissions' } });
    expect(grants('ops')).toEqual(before);
    expect(emu.requestLog.map((e) => e.applied)).toEqual([true, true, false, false]);
  });

  it('its two validation messages are swapped', async () => {
    await opsFolderWithDashboard();

    const userAndTeam = await sa().post('folders/ops/permissions', {
      items: [{ userId: 1, teamId: 1, permission: 1 }],
    });
    const teamWithRole = await sa().post('folders/ops/permissions', {
      items: [{ teamId: 1, role: 'Viewer', permission: 1 }],
    });

    expect(userAndTeam).toMatchObject({
      status: 400,
      body: { message: 'team and user permissions cannot have an associated role' },
    });
    expect(teamWithRole).toMatchObject({
      status: 400,
      body: { message: 'permissions cannot have both a user and team' },
    });
  });
});

describe('access-control permissions (/api/access-control/{folders|dashboards}/:uid)', () => {
  it('GET lists managed rows, inherited ones marked, and the unmanaged built-in Admin row last', async () => {
    await opsFolderWithDashboard();
    const team = emu.api.createTeam(1, 'SRE');
    emu.api.setGrant(1, 'ops', { kind: 'team', id: team.id }, 'Edit');

    const res = await sa().get('access-control/dashboards/lat');

    expect(res.status).toBe(200);
    expect(res.body[0]).toMatchObject({ userId: 1, permission: 'Admin', isManaged: true, isInherited: false });
    expect(res.body.find((r: { teamId?: number }) => r.teamId === team.id)).toMatchObject({
      team: 'SRE',
      permission: 'Edit',
      isManaged: true,
      isInherited: true,
      roleName: `managed:teams:${team.id}:permissions`,
    });
    expect(res.body.at(-1)).toMatchObject({
      builtInRole: 'Admin',
      isManaged: false,
      isInherited: false,
      permission: 'Admin',
    });
  });

  it('POST .../teams/:teamId sets, changes and ("" ) removes one team alone', async () => {
    await opsFolderWithDashboard();
    const team = emu.api.createTeam(1, 'SRE');
    const path = `access-control/folders/ops/teams/${team.id}`;

    const set = await sa().post(path, { permission: 'View' });
    await sa().post(path, { permission: 'Admin' });
    const changed = grants('ops').at(-1);
    const removed = await sa().post(path, { permission: '' });

    expect(set).toMatchObject({ status: 200, body: { message: 'Permission updated' } });
    expect(changed).toEqual({ subject: { kind: 'team', id: team.id }, level: 'Admin' });
    expect(removed).toMatchObject({ status: 200, body: { message: 'Permission removed' } });
    expect(grants('ops').map((g) => g.subject.id)).toEqual([1, 'Editor', 'Viewer']);
  });

  it("every failure is the same generic 400: unknown team, another org's team, bad level, unknown resource", async () => {
    await opsFolderWithDashboard();
    const team = emu.api.createTeam(1, 'SRE');
    const other = emu.api.createTeam(emu.api.createOrg('Two').id, 'Elsewhere');
    const generic = { status: 400, body: { message: 'failed to set team permission' } };

    expect(await sa().post('access-control/folders/ops/teams/99', { permission: 'View' })).toMatchObject(generic);
    expect(await sa().post(`access-control/folders/ops/teams/${other.id}`, { permission: 'View' })).toMatchObject(
      generic,
    );
    expect(await sa().post(`access-control/folders/ops/teams/${team.id}`, { permission: 'Owner' })).toMatchObject(
      generic,
    );
    expect(await sa().post(`access-control/folders/nope/teams/${team.id}`, { permission: 'View' })).toMatchObject(
      generic,
    );
    expect(await sa().post('access-control/dashboards/lat/users/99', { permission: 'View' })).toMatchObject({
      status: 400,
      body: { message: 'failed to set user permission' },
    });
    expect(await sa().post('access-control/dashboards/lat/builtInRoles/Editor', { permission: 'Admin' })).toMatchObject(
      {
        status: 200,
      },
    );
  });

  it('the batch sets the listed subjects and leaves the others; one invalid entry applies nothing', async () => {
    await opsFolderWithDashboard();
    const team = emu.api.createTeam(1, 'SRE');

    const good = await sa().post('access-control/folders/ops', {
      permissions: [
        { teamId: team.id, permission: 'Edit' },
        { builtInRole: 'Viewer', permission: '' },
      ],
    });
    const after = grants('ops');
    const bad = await sa().post('access-control/folders/ops', {
      permissions: [
        { teamId: team.id, permission: 'Admin' },
        { teamId: 99, permission: 'View' },
      ],
    });

    expect(good).toMatchObject({ status: 200, body: { message: 'Permissions updated' } });
    expect(after.map((g) => [g.subject.id, g.level])).toEqual([
      [1, 'Admin'],
      ['Editor', 'Edit'],
      [team.id, 'Edit'],
    ]);
    expect(bad).toMatchObject({ status: 400, body: { message: 'failed to set permissions' } });
    expect(grants('ops')).toEqual(after);
  });

  it('the batch route is missing before 9.3; the per-team route is there', async () => {
    emu.setOptions({ version: '9.2.0' });
    await opsFolderWithDashboard();
    const team = emu.api.createTeam(1, 'SRE');

    expect((await sa().post('access-control/folders/ops', { permissions: [] })).status).toBe(404);
    expect((await sa().post(`access-control/folders/ops/teams/${team.id}`, { permission: 'View' })).status).toBe(200);
  });
});

describe('around the permissions', () => {
  it('deleting a team or a user removes its grants', async () => {
    await opsFolderWithDashboard();
    const team = emu.api.createTeam(1, 'SRE');
    const user = emu.api.createUser({ login: 'kim', email: 'kim@example.com' });
    emu.api.setGrant(1, 'ops', { kind: 'team', id: team.id }, 'Edit');
    emu.api.setGrant(1, 'lat', { kind: 'user', id: user.id }, 'View');

    await sa().del(`teams/${team.id}`);
    await admin().del(`admin/users/${user.id}`);

    expect(grants('ops').map((g) => g.subject.id)).toEqual([1, 'Editor', 'Viewer']);
    expect(grants('lat').map((g) => g.subject.id)).toEqual([1]);
  });

  it('a Viewer token is refused with the RBAC action; faults apply to the new routes; reset empties them', async () => {
    await opsFolderWithDashboard();
    const team = emu.api.createTeam(1, 'SRE');
    emu.setOptions({
      tokens: [
        { token: TOKEN, orgId: 1, role: 'Admin' },
        { token: 'glsa_viewer', orgId: 1, role: 'Viewer' },
      ],
    });

    const denied = await api(emu, { auth: bearer('glsa_viewer') }).post(`access-control/folders/ops/teams/${team.id}`, {
      permission: 'View',
    });
    emu.setOptions({ appliedButErrorRate: 1 });
    const late = await sa().post(`access-control/folders/ops/teams/${team.id}`, { permission: 'View' });
    emu.setOptions({ appliedButErrorRate: 0, errorRate: 1 });
    const lost = await sa().post('folders/ops/permissions', { items: [] });

    expect(denied.status).toBe(403);
    expect(denied.body.message).toContain('folders.permissions:write');
    expect([500, 502, 503]).toContain(late.status);
    expect(grants('ops').at(-1)).toEqual({ subject: { kind: 'team', id: team.id }, level: 'View' });
    expect([500, 502, 503]).toContain(lost.status);
    expect(grants('ops')).toHaveLength(4);
    expect(emu.requestLog.slice(-2).map((e) => e.fault)).toEqual(['applied-then-error', 'error']);
    emu.reset();
    expect(emu.dump().resources).toEqual([]);
  });
});
