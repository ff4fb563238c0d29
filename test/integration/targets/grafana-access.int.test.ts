import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createGrafanaEmulator, DEFAULT_TOKEN, type GrafanaEmulator } from '../../../src/emulators/grafana/index.js';
import { TargetHttpError } from '../../../src/errors/index.js';
import type { Grant, Op, OpOf, ResourceRef, TargetResource } from '../../../src/model/index.js';
import { isTransient } from '../../../src/targets/http/http-client.js';
import { UnsupportedOpError } from '../../../src/targets/op-errors.js';
import type { AccessScope, IdResolver, TargetFacts } from '../../../src/targets/target.js';
import { GrafanaTarget, grafanaTargetSchema } from '../../../src/targets/grafana/index.js';

const ADMIN_PASSWORD = 'access-admin-pw-51d';
let emu: GrafanaEmulator;

const target = (over: Record<string, unknown> = {}) =>
  new GrafanaTarget(
    grafanaTargetSchema.parse({
      kind: 'grafana',
      baseUrl: emu.url,
      token: DEFAULT_TOKEN,
      admin: { user: 'admin', password: ADMIN_PASSWORD },
      timeoutMs: 5000,
      ...over,
    }),
    { readAttempts: 1 },
  );

/** No ids to resolve beyond `created` (key -> team id): what earlier ops of a run would have linked. */
const ids = (created: Record<string, string> = {}): IdResolver => ({
  teamId: async (_team, key) => (key ? created[key] : undefined),
  userId: async () => undefined,
});

const everything: AccessScope = { types: ['folder', 'dashboard'], reaches: () => true };
const grantsIn = (resources: TargetResource[] | undefined, id: string) => resources?.find((r) => r.id === id)?.grants;
const ref = (type: ResourceRef['type'], id: string, title: string): ResourceRef => ({ type, id, title, org: 'org-1' });

let sre: number;
let dba: number;
let kim: number;
/** Folders Ops (ops) and HR (hr), dashboard Latency (lat) in Ops and Home (home) at the root. */
function seed(): void {
  const { api } = emu;
  sre = api.createTeam(1, 'SRE').id;
  dba = api.createTeam(1, 'DBA').id;
  kim = api.createUser({ login: 'kim', email: 'kim@example.com' }).id;
  api.createResource(1, { kind: 'folder', uid: 'ops', title: 'Ops', defaults: true });
  api.createResource(1, { kind: 'folder', uid: 'hr', title: 'HR', defaults: true });
  api.createResource(1, { kind: 'dashboard', uid: 'lat', title: 'Latency', folderUid: 'ops' });
  api.createResource(1, { kind: 'dashboard', uid: 'home', title: 'Home', defaults: true });
  api.setGrant(1, 'ops', { kind: 'team', id: sre }, 'Edit');
  api.setGrant(1, 'ops', { kind: 'user', id: kim }, 'Admin');
  api.setGrant(1, 'lat', { kind: 'team', id: dba }, 'View');
}

beforeAll(async () => {
  emu = await createGrafanaEmulator({ adminPassword: ADMIN_PASSWORD });
});
afterAll(() => emu.close());
beforeEach(() => {
  emu.setOptions({ version: '11.3.0', errorRate: 0, appliedButErrorRate: 0, resetRate: 0, seed: 1 });
  emu.reset();
  seed();
});
afterEach(() => vi.restoreAllMocks());

describe('reading grants', () => {
  it('reads only the reached resources, own grants only (access control), and counts its requests', async () => {
    const plain = await target().read();
    emu.reset();
    seed();

    const r = await target().read({ access: { types: ['folder', 'dashboard'], reaches: (x) => x.title !== 'HR' } });

    expect(r.actual.resources!.map((x) => x.id)).toEqual(['home', 'lat', 'ops']);
    expect(grantsIn(r.actual.resources, 'ops')).toEqual([
      { subject: { kind: 'role', id: 'Editor' }, level: 'Edit' },
      { subject: { kind: 'role', id: 'Viewer' }, level: 'View' },
      { subject: { kind: 'team', id: String(sre) }, level: 'Edit' },
      { subject: { kind: 'user', id: String(kim) }, level: 'Admin' },
    ]);
    // The folder's grants reach Latency by inheritance: not its own.
    expect(grantsIn(r.actual.resources, 'lat')).toEqual([
      { subject: { kind: 'team', id: String(dba) }, level: 'View' },
    ]);
    expect(r.actual.resources![0]).toMatchObject({ type: 'dashboard', title: 'Home', org: 'org-1' });
    // Two searches and three permission lists.
    expect(r.requests).toBe(plain.requests + 5);
    expect(emu.requestLog.some((e) => e.path.includes('/hr'))).toBe(false);
    expect(r.learned?.capabilities?.access?.write).toBe('per-grant');
  });

  it('lists only the types the rules name', async () => {
    const r = await target().read({ access: { types: ['dashboard'], reaches: () => true } });

    expect(r.actual.resources!.map((x) => x.type)).toEqual(['dashboard', 'dashboard']);
    expect(emu.requestLog.filter((e) => e.path.startsWith('/api/search')).map((e) => e.path)).toEqual([
      '/api/search?type=dash-db&limit=5000&page=1',
    ]);
  });

  it('a resource whose permissions cannot be read is kept as unreadable; the rest of the read stands', async () => {
    const real = globalThis.fetch;
    vi.spyOn(globalThis, 'fetch').mockImplementation((input, init) =>
      String(input).includes('/api/access-control/dashboards/home')
        ? Promise.resolve(new Response('{"message":"boom"}', { status: 500 }))
        : real(input, init),
    );

    const r = await target().read({ access: everything });

    const home = r.actual.resources!.find((x) => x.id === 'home')!;
    expect(home.grants).toEqual([]);
    expect(home.unreadable).toMatch(/could not be read: GET \/api\/access-control\/dashboards\/home -> 500: boom/);
    expect(r.actual.resources!.filter((x) => x.unreadable)).toHaveLength(1);
    expect(grantsIn(r.actual.resources, 'lat')).toHaveLength(1);
  });

  it('a failed listing fails the read', async () => {
    emu.setOptions({ errorRate: 1 });
    await expect(target().read({ access: everything })).rejects.toBeInstanceOf(TargetHttpError);
  });

  it('legacy (forced, or a server before 9.0): the same grants, folder copies left out of the dashboard, writes learned whole-list', async () => {
    const viaAc = await target().read({ access: everything });
    const forced = await target({ permissionsApi: 'legacy' }).read({ access: everything });
    emu.setOptions({ version: '8.5.0' });
    const old = await target().read({ access: everything });

    expect(forced.actual.resources).toEqual(viaAc.actual.resources);
    expect(old.actual.resources).toEqual(viaAc.actual.resources);
    expect(forced.learned?.capabilities?.access?.write).toBe('whole-list');
    expect(old.learned?.capabilities?.access?.write).toBe('whole-list');
    expect(emu.requestLog.some((e) => e.path === '/api/dashboards/uid/lat/permissions')).toBe(true);
    expect(target({ permissionsApi: 'legacy' }).capabilities.access?.write).toBe('whole-list');
  });
});

const setGrant = (resource: ResourceRef, team: { id?: string; name: string; key?: string }, level: string): Op => ({
  kind: 'setGrant',
  key: `grant:${resource.id}:${team.name}`,
  reason: 'rule',
  dependsOn: [],
  resource,
  team,
  level,
});
const removeGrant = (resource: ResourceRef, team: { id: string; name: string }, level: string): Op => ({
  kind: 'removeGrant',
  key: `ungrant:${resource.id}:${team.name}`,
  reason: 'rule',
  dependsOn: [],
  resource,
  team,
  level,
});
const OPS = ref('folder', 'ops', 'Ops');

describe('writing grants', () => {
  it('sets, changes and removes one team alone (a new team by its key), leaving every other grant', async () => {
    const t = target();
    const before = emu.api.grants(1, 'ops');

    await t.apply(setGrant(OPS, { name: 'DBA', key: 'k-dba' }, 'View'), ids({ 'k-dba': String(dba) }));
    const set = emu.api.grants(1, 'ops').at(-1);
    await t.apply(setGrant(OPS, { id: String(dba), name: 'DBA' }, 'Admin'), ids());
    const changed = emu.api.grants(1, 'ops').at(-1);
    const out = await t.apply(removeGrant(OPS, { id: String(dba), name: 'DBA' }, 'Admin'), ids());

    expect(set).toEqual({ subject: { kind: 'team', id: dba }, level: 'View' });
    expect(changed).toEqual({ subject: { kind: 'team', id: dba }, level: 'Admin' });
    expect(out.status).toBe('applied');
    expect(emu.api.grants(1, 'ops')).toEqual(before);
    expect(emu.requestLog.filter((e) => e.method === 'POST').map((e) => e.path)).toEqual([
      `/api/access-control/folders/ops/teams/${dba}`,
      `/api/access-control/folders/ops/teams/${dba}`,
      `/api/access-control/folders/ops/teams/${dba}`,
    ]);
  });

  it("removing a deleted team's grant is already done; a refused write names the team and the resource", async () => {
    emu.api.setGrant(1, 'ops', { kind: 'team', id: dba }, 'View');
    await fetch(`${emu.url}/api/teams/${dba}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${DEFAULT_TOKEN}` },
    });

    const gone = await target().apply(removeGrant(OPS, { id: String(dba), name: 'DBA' }, 'View'), ids());
    const refused = await target()
      .apply(setGrant(ref('folder', 'nope', 'Gone'), { id: String(sre), name: 'SRE' }, 'View'), ids())
      .then(
        () => undefined,
        (e: unknown) => e as TargetHttpError,
      );

    expect(gone.status).toBe('already-done');
    expect(refused).toBeInstanceOf(TargetHttpError);
    expect(refused!.message).toContain('failed to set team permission (team "SRE" on folder "Gone" (nope))');
    expect((refused as TargetHttpError).status).toBe(400);
  });

  it('a team with no id (its creating op failed) is named with the resource', async () => {
    await expect(target().apply(setGrant(OPS, { name: 'Ghost', key: 'k-ghost' }, 'View'), ids())).rejects.toThrow(
      'team "Ghost" has no id for its grant on folder "Ops" (ops)',
    );
  });

  it('one team alone is refused on a server the read found without access control', async () => {
    const learned: TargetFacts = (await target({ permissionsApi: 'legacy' }).read()).learned!;
    await expect(
      target().apply(setGrant(OPS, { id: String(dba), name: 'DBA' }, 'View'), ids(), learned),
    ).rejects.toBeInstanceOf(UnsupportedOpError);
  });

  it('the whole-list write keeps every user, role and unmanaged team grant exactly as read', async () => {
    const t = target({ permissionsApi: 'legacy' });
    const read = await t.read({ access: everything });
    const ops = read.actual.resources!.find((x) => x.id === 'ops')!;
    // SRE is managed (its grant goes), DBA is new to the folder; everything else is kept as read.
    const kept: Grant[] = ops.grants.filter((g) => !(g.subject.kind === 'team' && g.subject.id === String(sre)));
    const op: OpOf<'setGrants'> = {
      kind: 'setGrants',
      key: 'grants:ops',
      reason: 'rules',
      dependsOn: [],
      resource: ops,
      kept,
      teams: [{ team: { name: 'DBA', key: 'k-dba' }, level: 'Edit' }],
      changes: [],
    };

    await t.apply(op, ids({ 'k-dba': String(dba) }), read.learned);
    const again = await t.read({ access: everything });

    expect(grantsIn(again.actual.resources, 'ops')).toEqual([
      ...kept,
      { subject: { kind: 'team', id: String(dba) }, level: 'Edit' },
    ]);
    expect(JSON.stringify(grantsIn(again.actual.resources, 'ops')!.slice(0, kept.length))).toBe(JSON.stringify(kept));
    // The other resources are untouched.
    for (const id of ['lat', 'home', 'hr'])
      expect(grantsIn(again.actual.resources, id)).toEqual(grantsIn(read.actual.resources, id));
  });
});

describe('under faults (5xx, applied-then-5xx, connection resets)', () => {
  /** As the queue does: a transient failure is tried again, up to 12 times. */
  async function applyRetrying(t: GrafanaTarget, op: Op, resolver: IdResolver, learned?: TargetFacts) {
    for (let attempt = 1; ; attempt++) {
      try {
        return await t.apply(op, resolver, learned);
      } catch (err) {
        if (!isTransient(err) || attempt >= 12) throw err;
      }
    }
  }

  it('per-team and whole-list writes end exact, and a second read agrees', async () => {
    const reader = new GrafanaTarget(
      grafanaTargetSchema.parse({ kind: 'grafana', baseUrl: emu.url, token: DEFAULT_TOKEN, timeoutMs: 5000 }),
      { readAttempts: 8, backoffMs: 1 },
    );
    const legacy = await target({ permissionsApi: 'legacy' }).read({ access: everything });
    const home = legacy.actual.resources!.find((x) => x.id === 'home')!;
    emu.setOptions({ errorRate: 0.3, appliedButErrorRate: 0.3, resetRate: 0.1, seed: 7 });

    const t = target();
    for (const op of [
      setGrant(OPS, { id: String(dba), name: 'DBA' }, 'View'),
      setGrant(OPS, { id: String(sre), name: 'SRE' }, 'Admin'),
      removeGrant(ref('dashboard', 'lat', 'Latency'), { id: String(dba), name: 'DBA' }, 'View'),
      setGrant(ref('dashboard', 'lat', 'Latency'), { id: String(sre), name: 'SRE' }, 'Edit'),
    ])
      await applyRetrying(t, op, ids());
    await applyRetrying(
      t,
      {
        kind: 'setGrants',
        key: 'grants:home',
        reason: 'rules',
        dependsOn: [],
        resource: home,
        kept: home.grants,
        teams: [{ team: { id: String(dba), name: 'DBA' }, level: 'Edit' }],
        changes: [],
      },
      ids(),
    );
    const faults = emu.stats();
    const after = await reader.read({ access: everything });

    expect(faults.injected5xx + faults.appliedThen5xx + faults.resets).toBeGreaterThan(0);
    expect(emu.api.grants(1, 'ops')).toEqual([
      { subject: { kind: 'role', id: 'Editor' }, level: 'Edit' },
      { subject: { kind: 'role', id: 'Viewer' }, level: 'View' },
      { subject: { kind: 'team', id: sre }, level: 'Admin' },
      { subject: { kind: 'user', id: kim }, level: 'Admin' },
      { subject: { kind: 'team', id: dba }, level: 'View' },
    ]);
    expect(emu.api.grants(1, 'lat')).toEqual([{ subject: { kind: 'team', id: sre }, level: 'Edit' }]);
    expect(emu.api.grants(1, 'home')).toEqual([
      { subject: { kind: 'role', id: 'Editor' }, level: 'Edit' },
      { subject: { kind: 'role', id: 'Viewer' }, level: 'View' },
      { subject: { kind: 'team', id: dba }, level: 'Edit' },
    ]);
    expect(grantsIn(after.actual.resources, 'hr')).toEqual(grantsIn(legacy.actual.resources, 'hr'));
  });
});
