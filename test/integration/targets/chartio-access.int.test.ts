import { afterEach, describe, expect, inject, it } from 'vitest';
import { runSync } from '../../../src/app/run-sync.js';
import type { ChartioEmulator } from '../../../src/emulators/chartio/index.js';
import { createHarness, type Harness } from '../../support/conformance/chartio.js';
import { roundRobinDirectory } from '../../support/synthetic-directory.js';
import { writesOf } from '../../support/target-harness.js';

/** 30 people in flat groups (group-N -> team-N). */
const directory = (groups = ['group-0', 'group-1', 'group-2', 'group-3']) => roundRobinDirectory(groups, 30);

const redisUrl = inject('redisUrl');
let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const ACCESS = [
  // A team per group gets viewer on its own board; the board of a renamed team follows the rename.
  { teams: '/^team-(?<n>\\d+)$/', level: 'viewer', dashboards: ['Board ${n}'] },
  // team-2 (and what it is renamed to) edits the shared board; team-1 administers the warehouse.
  { teams: '/^team-2/', level: 'editor', dashboards: ['Shared'] },
  { teams: 'team-1', level: 'admin', datasources: ['Warehouse'] },
];

/** Every permission as "resource: subject=level", subjects by team name or user email. */
function grants(e: ChartioEmulator): string[] {
  const teamName = (id: number) => e.state.teams.get(id)?.name ?? `team#${id}`;
  const userEmail = (id: number) => e.state.users.get(id)?.email ?? `user#${id}`;
  const out: string[] = [];
  for (const r of [...e.resources.dashboards.values(), ...e.resources.datasources.values()])
    for (const p of r.permissions.values())
      out.push(
        `${r.kind === 'dashboard' ? r.title : r.alias}: ${p.subject.kind === 'team' ? teamName(p.subject.id) : userEmail(p.subject.id)}=${p.accessLevel}`,
      );
  return out.sort();
}

const permissionWrites = (e: ChartioEmulator, from = 0) =>
  writesOf(e, from).filter((r) => r.path.includes('/permissions'));

function seedResources(e: ChartioEmulator): void {
  e.preload({
    dashboards: ['Board 0', 'Board 1', 'Board 2', 'Shared', 'Unrelated', 'Full'].map((title) => ({ title })),
    datasources: [{ alias: 'Warehouse' }],
    teams: ['Analysts'],
    users: [{ email: 'someone@example.com', teams: ['Analysts'] }],
  });
  const board = (t: string) => [...e.resources.dashboards.values()].find((d) => d.title === t)!;
  const someone = e.state.userByEmail('someone@example.com')!.id;
  const analysts = e.state.teamByName('Analysts')!.id;
  // Grants the sync does not own: a user's and an unmanaged team's.
  e.resources.upsertPermission(board('Board 0'), { kind: 'user', id: someone }, 'admin');
  e.resources.upsertPermission(board('Shared'), { kind: 'team', id: analysts }, 'viewer');
  // A board already at Chartio's limit of 100 permissions.
  e.preload({
    users: Array.from({ length: 100 }, (_, i) => ({ email: `viewer${i}@example.com`, teams: ['Analysts'] })),
  });
  for (let i = 0; i < 100; i++)
    e.resources.upsertPermission(
      board('Full'),
      { kind: 'user', id: e.state.userByEmail(`viewer${i}@example.com`)!.id },
      'viewer',
    );
}

describe('Chartio access as code (CSV -> queue -> emulator over HTTP)', () => {
  it('grants, narrows back, follows renames and deletions, never touches what it does not own; faults on; a second run writes nothing', async () => {
    h = await createHarness(redisUrl, {
      profile: { access: [...ACCESS, { teams: '/^team-/', level: 'viewer', dashboards: ['Full'] }] },
      policy: { prune: true },
      // 40 a page: the full board's 100 permissions come in three pages (HAL `next` links).
      emulator: { pageSize: 40 },
    });
    const e = h.emulator;
    seedResources(e);
    h.writeDirectory(directory());
    e.setOptions({ errorRate: 0.15, appliedButErrorRate: 0.15, resetRate: 0.05, seed: 11 });
    const rt = await h.runtime();
    rt.startWorkers();

    const first = await runSync(rt, { mode: 'full', trigger: 'backfill' });
    expect(first.run.failures).toEqual([]);
    expect(first.status).toBe('succeeded');
    expect(first.plan!.warnings.join('\n')).toContain('dashboard "Full" (id 6) would hold 104 permissions');
    const someoneAdmin = 'Board 0: someone@example.com=admin';
    expect(grants(e).filter((g) => !g.startsWith('Full:'))).toEqual(
      [
        'Board 0: team-0=viewer',
        someoneAdmin,
        'Board 1: team-1=viewer',
        'Board 2: team-2=viewer',
        'Shared: Analysts=viewer',
        'Shared: team-2=editor',
        'Warehouse: team-1=admin',
      ].sort(),
    );
    // Each grant was created once, whatever the faults did to the answers.
    const created = permissionWrites(e).filter((r) => r.method === 'POST' && r.applied);
    expect(created).toHaveLength(5);
    expect(permissionWrites(e).some((r) => r.path.includes(`/dashboards/6/`))).toBe(false);

    // Day 2: someone widens team-0 by hand, a new board appears, group-2 is renamed, group-3 deleted.
    e.setOptions({ errorRate: 0, appliedButErrorRate: 0, resetRate: 0 });
    const board0 = [...e.resources.dashboards.values()].find((d) => d.title === 'Board 0')!;
    e.resources.upsertPermission(board0, { kind: 'team', id: e.state.teamByName('team-0')!.id }, 'admin');
    e.preload({ dashboards: [{ title: 'Board 3' }, { title: 'Board 22' }] });
    const team3 = e.state.teamByName('team-3')!.id;
    h.writeDirectory(directory(['group-0', 'group-1', 'group-22']));
    e.setOptions({ errorRate: 0.15, appliedButErrorRate: 0.15, resetRate: 0.05, seed: 12 });
    const from = e.requestLog.length;

    const second = await runSync(rt, { mode: 'full', trigger: 'schedule' });
    expect(second.status).toBe('succeeded');
    const ops = second.plan!.phases.flat();
    expect(
      ops
        .filter((o) => o.kind.endsWith('Grant'))
        .map((o) => `${o.kind} ${o.key}`)
        .sort(),
    ).toEqual(
      [
        // Narrowed back (authoritative); Board 2 goes with the rename, Board 22 comes.
        `setGrant grant..dashboard.1.${e.state.teamByName('team-0')!.id}`,
        `removeGrant ungrant..dashboard.3.${e.state.teamByName('team-22')!.id}`,
        `setGrant grant..dashboard.8.${e.state.teamByName('team-22')!.id}`,
      ].sort(),
    );
    expect(grants(e).filter((g) => !g.startsWith('Full:'))).toEqual(
      [
        'Board 0: team-0=viewer',
        someoneAdmin,
        'Board 1: team-1=viewer',
        'Board 22: team-22=viewer',
        'Shared: Analysts=viewer',
        'Shared: team-22=editor',
        'Warehouse: team-1=admin',
      ].sort(),
    );
    // team-3 was deleted with its group (prune): Chartio dropped its grants with it; Board 3 never had one.
    expect(e.state.teams.has(team3)).toBe(false);
    expect(permissionWrites(e, from).filter((r) => r.applied)).toHaveLength(3);

    e.setOptions({ errorRate: 0, appliedButErrorRate: 0, resetRate: 0 });
    const writesBefore = writesOf(e).length;
    const logBefore = e.requestLog.length;
    const third = await runSync(rt, { mode: 'full', trigger: 'schedule' });
    expect(third.plan!.phases.flat()).toHaveLength(0);
    expect(writesOf(e)).toHaveLength(writesBefore);
    // The estimate counts every read, the permissions of the reached resources included; the
    // dashboard no rule can reach ("Unrelated", id 5) never has its permissions read.
    const gets = e.requestLog.slice(logBefore).filter((r) => r.method === 'GET');
    expect(third.plan!.estimate.reads).toBe(gets.length);
    expect(gets.filter((r) => r.path.includes('/permissions')).map((r) => r.path.replace(/\/+$/, ''))).toEqual(
      expect.arrayContaining(['/v1/acme/dashboards/1/permissions', '/v1/acme/datasources/1/permissions']),
    );
    expect(e.requestLog.some((r) => r.path.startsWith('/v1/acme/dashboards/5/'))).toBe(false);
  });

  it('additive keeps a grant widened in the app and adds what is missing', async () => {
    h = await createHarness(redisUrl, { profile: { access: ACCESS }, policy: { access: 'additive' } });
    const e = h.emulator;
    seedResources(e);
    h.writeDirectory(directory());
    const rt = await h.runtime();
    rt.startWorkers();
    expect((await runSync(rt, { mode: 'full', trigger: 'backfill' })).status).toBe('succeeded');
    const board1 = [...e.resources.dashboards.values()].find((d) => d.title === 'Board 1')!;
    e.resources.upsertPermission(board1, { kind: 'team', id: e.state.teamByName('team-1')!.id }, 'editor');
    const shared = [...e.resources.dashboards.values()].find((d) => d.title === 'Shared')!;
    e.resources.upsertPermission(shared, { kind: 'team', id: e.state.teamByName('team-0')!.id }, 'viewer');

    const again = await runSync(rt, { mode: 'full', trigger: 'schedule' });
    expect(again.plan!.phases.flat().filter((o) => o.kind.endsWith('Grant'))).toHaveLength(0);
    expect(grants(e)).toContain('Board 1: team-1=editor');
    expect(grants(e)).toContain('Shared: team-0=viewer');
  });
});
