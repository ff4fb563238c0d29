import { afterEach, describe, expect, inject, it } from 'vitest';
import { runSync } from '../../../src/app/run-sync.js';
import type { GrafanaEmulator } from '../../../src/emulators/grafana/index.js';
import { createGrafanaHarness, type GrafanaHarness } from '../../support/conformance/grafana.js';
import { roundRobinDirectory } from '../../support/synthetic-directory.js';
import { writesOf } from '../../support/target-harness.js';

/** 24 people in flat groups (group-N -> team-N). */
const directory = (groups: string[]) => roundRobinDirectory(groups, 24);

const redisUrl = inject('redisUrl');
let h: GrafanaHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const ACCESS = [
  // A team per group views its own folder; team-2 (and what it is renamed to) edits the shared dashboard.
  { teams: '/^team-(?<n>\\d+)$/', level: 'View', folders: ['Team ${n}'] },
  { teams: '/^team-2/', level: 'Edit', dashboards: ['Shared'] },
];

/** Every own grant of org 1 as "title: subject=level", subjects by team name, user login or role. */
function grants(e: GrafanaEmulator): string[] {
  const out: string[] = [];
  for (const r of e.state.resources.of(1)) {
    for (const g of e.api.grants(1, r.uid)) {
      const who =
        g.subject.kind === 'team'
          ? (e.state.teams.get(g.subject.id)?.name ?? `team#${g.subject.id}`)
          : g.subject.kind === 'user'
            ? (e.state.users.get(g.subject.id)?.login ?? `user#${g.subject.id}`)
            : `role:${g.subject.id}`;
      out.push(`${r.title}: ${who}=${g.level}`);
    }
  }
  return out.sort();
}

const teamId = (e: GrafanaEmulator, name: string) => [...e.state.teams.values()].find((t) => t.name === name)!.id;
const uidOf = (e: GrafanaEmulator, title: string) => e.state.resources.of(1).find((r) => r.title === title)!.uid;

async function scenario(o: { legacy: boolean }): Promise<void> {
  h = await createGrafanaHarness(redisUrl, {
    profile: { access: ACCESS },
    policy: { prune: true },
    ...(o.legacy ? { target: { permissionsApi: 'legacy' } } : {}),
  });
  const e = h.emulator;
  // Folders and a dashboard made in the app: the default role grants, plus what the sync does not own.
  for (const title of ['Team 0', 'Team 1', 'Team 2'])
    e.api.createResource(1, { kind: 'folder', title, defaults: true });
  e.api.createResource(1, { kind: 'dashboard', title: 'Shared', defaults: true });
  e.api.createResource(1, { kind: 'folder', title: 'Unrelated', defaults: true });
  const ops = e.api.createTeam(1, 'Ops');
  e.api.setGrant(1, uidOf(e, 'Shared'), { kind: 'team', id: ops.id }, 'Admin');
  e.api.setGrant(1, uidOf(e, 'Team 0'), { kind: 'user', id: e.api.user('admin').id }, 'Admin');
  const day1 = directory(['group-0', 'group-1', 'group-2', 'group-3']);
  h.signIn(day1.people);
  h.writeDirectory(day1);
  e.setOptions({ errorRate: 0.15, appliedButErrorRate: 0.15, resetRate: 0.05, seed: 5 });
  const rt = await h.runtime();
  rt.startWorkers();

  const first = await runSync(rt, { mode: 'full', trigger: 'backfill' });
  expect(first.run.failures).toEqual([]);
  expect(first.status).toBe('succeeded');
  expect(first.plan!.warnings).toContain('access rule 1: folders "Team 3" match no folder');
  const appsOwn = [
    'Shared: Ops=Admin',
    'Shared: role:Editor=Edit',
    'Shared: role:Viewer=View',
    'Team 0: admin=Admin',
    ...['Team 0', 'Team 1', 'Team 2', 'Unrelated'].flatMap((t) => [`${t}: role:Editor=Edit`, `${t}: role:Viewer=View`]),
  ];
  expect(grants(e)).toEqual(
    [...appsOwn, 'Team 0: team-0=View', 'Team 1: team-1=View', 'Team 2: team-2=View', 'Shared: team-2=Edit'].sort(),
  );
  // One applied write per grant (per-team), or per resource (whole list), whatever the faults did.
  const applied = writesOf(e).filter((r) => r.applied && /permissions|access-control/.test(r.path));
  expect(applied).toHaveLength(4);

  // Day 2: team-0 widened by hand, a folder for team-3 appears, group-2 renamed, group-3 deleted.
  e.setOptions({ errorRate: 0, appliedButErrorRate: 0, resetRate: 0 });
  e.api.setGrant(1, uidOf(e, 'Team 0'), { kind: 'team', id: teamId(e, 'team-0') }, 'Admin');
  e.api.createResource(1, { kind: 'folder', title: 'Team 22', defaults: true });
  h.writeDirectory(directory(['group-0', 'group-1', 'group-22']));
  e.setOptions({ errorRate: 0.15, appliedButErrorRate: 0.15, resetRate: 0.05, seed: 6 });
  const from = e.requestLog.length;

  const second = await runSync(rt, { mode: 'full', trigger: 'schedule' });
  expect(second.run.failures).toEqual([]);
  expect(second.status).toBe('succeeded');
  expect(grants(e)).toEqual(
    [
      ...appsOwn,
      'Team 22: role:Editor=Edit',
      'Team 22: role:Viewer=View',
      'Team 0: team-0=View',
      'Team 1: team-1=View',
      'Team 22: team-22=View',
      'Shared: team-22=Edit',
    ].sort(),
  );
  // Narrowed back on Team 0, gone from Team 2, given on Team 22: three grants, however written.
  const changed = writesOf(e, from).filter((r) => r.applied && /permissions|access-control/.test(r.path));
  expect(changed).toHaveLength(3);

  e.setOptions({ errorRate: 0, appliedButErrorRate: 0, resetRate: 0 });
  const before = writesOf(e).length;
  const third = await runSync(rt, { mode: 'full', trigger: 'schedule' });
  expect(third.plan!.phases.flat()).toHaveLength(0);
  expect(writesOf(e)).toHaveLength(before);
}

describe('Grafana access as code (CSV -> queue -> emulator over HTTP)', () => {
  it('per-team access-control writes: grants, narrowing, a rename and a deletion; faults on; then nothing to write', () =>
    scenario({ legacy: false }));

  it('whole-list legacy writes keep every grant the sync does not own (users, roles, other teams)', () =>
    scenario({ legacy: true }));
});
