import { afterEach, describe, expect, inject, it } from 'vitest';
import type { Runtime } from '../../../src/app/runtime.js';
import { runSync } from '../../../src/app/run-sync.js';
import { mapDirectory } from '../../../src/mapping/index.js';
import type { Snapshot } from '../../../src/model/index.js';
import { createHarness, teamsState, type Harness } from '../../support/conformance/chartio.js';
import { expectedTeams } from '../../support/expected-state.js';
import {
  CHARTIO_NAMES,
  DAY2_POLICY,
  DAY2_RULES,
  day2Base,
  day2Changes,
  day2Expected,
  day2Mapping,
  handEdits,
  type Day2Changes,
} from '../../support/day2-scenario.js';
import { startFakeGraph, type FakeGraph } from '../../support/fake-graph/server.js';
import { writeSnapshot } from '../../support/fake-graph/snapshot.js';
import { writesOf } from '../../support/target-harness.js';

const tls = inject('tls');
const redisUrl = inject('redisUrl');
/**
 * Chosen so a delta read cannot get everything from its group re-reads: the email-changed person
 * and two of the disabled are in no re-read group (only /users/delta carries their change), and
 * one group is re-read only because a group nested in it changed. The incremental test checks both.
 */
const SEED = 127;
let h: Harness | undefined;
let graph: FakeGraph | undefined;
afterEach(async () => {
  await h?.close();
  await graph?.close();
  h = undefined;
  graph = undefined;
});

/** What each day-2 run measured, so the incremental test can hold its numbers against the full one's. */
const measured: Partial<
  Record<
    'full' | 'incremental',
    { writes: number; counts: Record<string, number>; requests: number; calls: number; teams: Record<string, string[]> }
  >
> = {};

const writes = (h: Harness) => writesOf(h.emulator).length;

/** A fake tenant holding the day-1 directory (people p<n>, groups g<n>, nesting as group members) and a harness reading it over HTTPS. */
async function day1(): Promise<{ h: Harness; graph: FakeGraph; rt: Runtime; base: Snapshot }> {
  graph = await startFakeGraph({
    tenantId: 'tenant-day2',
    clientId: 'app',
    clientSecret: 'day2-secret',
    cert: tls.cert,
    key: tls.key,
  });
  process.env.ENTRA_CLIENT_SECRET = 'day2-secret';
  h = await createHarness(redisUrl, {
    policy: DAY2_POLICY,
    mapping: { rules: DAY2_RULES },
    source: {
      kind: 'entra',
      tenantId: 'tenant-day2',
      clientId: 'app',
      clientSecret: '${ENTRA_CLIENT_SECRET}',
      authorityHost: graph.url,
      graphBaseUrl: graph.url,
    },
  });
  const base = day2Base(SEED);
  writeSnapshot(graph.dir, base);
  const rt = await h.runtime();
  rt.startWorkers();
  const first = await runSync(rt, { mode: 'full', trigger: 'backfill' });
  expect(first.status).toBe('succeeded');
  expect(teamsState(h.emulator)).toEqual(
    expectedTeams(base, ['owner@example.com'], { mapping: day2Mapping, ...CHARTIO_NAMES }),
  );
  // The two names that differ only in case and the long name are stable: no flip-flop.
  expect((await runSync(rt, { mode: 'full', trigger: 'backfill' })).plan!.phases.flat()).toEqual([]);
  return { h, graph, rt, base };
}

/** The day's changes made in the tenant, and by hand in the app; returns the deleted group's team size before the run. */
function day2Edits(
  h: Harness,
  graph: FakeGraph,
  base: Snapshot,
): { c: Day2Changes; team4: number; staleBefore: number; membersChanged: Set<string> } {
  const c = day2Changes(base, SEED + 1);
  const team4 = h.emulator.state.teamByName(c.renamed.from)!.id;
  const staleBefore = handEdits(h.emulator, c.deletedGroup.team);
  expect(staleBefore).toBeGreaterThan(0);
  const { counts, membersChanged } = writeSnapshot(graph.dir, c.next);
  // Every kind of change the scenario names reached the tenant.
  expect(counts).toMatchObject({
    removeUser: expect.any(Number),
    addUser: expect.any(Number),
    renameGroup: 1,
    removeGroup: 1,
    addGroup: 1,
  });
  expect(counts.removeUser).toBeGreaterThan(0);
  expect(counts.addUser).toBeGreaterThan(0);
  // Two disables and one email change, at least (a leaver may have been picked for a disable).
  expect(counts.updateUser).toBeGreaterThanOrEqual(2);
  expect(graph.dir.users.get(c.next.people[0]!.sourceId)).toMatchObject({
    mail: c.emailChange[1],
    userPrincipalName: c.emailChange[1],
  });
  expect([...graph.dir.groups.get('g6')!.members]).toContain('g12');
  expect([...graph.dir.groups.get('g4')!.members]).not.toContain('g12');
  return { c, team4, staleBefore, membersChanged };
}

/** The exact day-2 state, the email change and the deleted group's warning, and writes = planned operations. */
function expectDay2(
  h: Harness,
  c: Day2Changes,
  team4: number,
  staleBefore: number,
  day2: Awaited<ReturnType<typeof runSync>>,
  before: number,
) {
  expect(day2.status).toBe('succeeded');
  expect(teamsState(h.emulator)).toEqual(day2Expected(c));
  const dump = h.emulator.dump();
  const desired = mapDirectory(c.next, day2Mapping, CHARTIO_NAMES.mapOptions);
  expect(dump.users.map((u) => u.email).sort()).toEqual(
    ['owner@example.com', ...desired.people.map((p) => p.email)].sort(),
  );
  const [oldEmail, newEmail] = c.emailChange;
  expect(dump.users.find((u) => u.email === oldEmail)).toBeUndefined();
  expect(dump.users.find((u) => u.email === newEmail)!.teams.sort()).toEqual(
    desired.people.find((p) => p.email === newEmail)!.teams,
  );
  expect(dump.teams.find((t) => t.name === c.renamed.to)!.id).toBe(team4);
  expect(teamsState(h.emulator)[c.newGroup]).toEqual(
    desired.people
      .filter((p) => p.teams.includes(c.newGroup))
      .map((p) => p.email)
      .sort(),
  );
  expect(teamsState(h.emulator)[c.newGroup]!.length).toBeGreaterThan(0);
  expect(teamsState(h.emulator)[c.deletedGroup.team]).toEqual([]);
  const lines = day2.plan!.warnings;
  const esc = (s: string) => s.replace(/\./g, '\\.');
  expect(lines.filter((w) => w.startsWith('email changed: '))).toEqual([
    expect.stringMatching(new RegExp(`^email changed: ${esc(oldEmail)} -> ${esc(newEmail)}: `)),
  ]);
  expect(lines).toContainEqual(
    `group "${c.deletedGroup.name}" is gone: team "${c.deletedGroup.team}" emptied (${staleBefore} removed)`,
  );
  expect(writes(h) - before).toBe(day2.plan!.phases.flat().length);
}

/** Another run in `mode` plans nothing and writes nothing; the state stays exact. */
async function expectQuiet(h: Harness, rt: Runtime, mode: 'full' | 'incremental', c: Day2Changes) {
  const quiet = writes(h);
  const again = await runSync(rt, { mode, trigger: 'schedule' });
  expect(again.status).toBe('succeeded');
  expect(again.run.mode).toBe(mode);
  expect(again.plan!.phases.flat()).toEqual([]);
  expect(writes(h)).toBe(quiet);
  expect(teamsState(h.emulator)).toEqual(day2Expected(c));
}

describe('day 2 from Entra ID (fake Graph over HTTPS), through Redis, into the emulator', () => {
  it('full read: leavers, hires, moves, disables, an email change, renamed / deleted / new / re-parented groups and hand edits end in exactly the expected state; a second run writes nothing', async () => {
    const { h, graph, rt, base } = await day1();
    const { c, team4, staleBefore } = day2Edits(h, graph, base);
    const before = writes(h);
    const [requests, calls] = [graph.graphRequests().length, graph.graphCalls().length];
    const day2 = await runSync(rt, { mode: 'full', trigger: 'backfill' });
    expect(day2.run.mode).toBe('full');
    expectDay2(h, c, team4, staleBefore, day2, before);

    // A full read: two fresh delta links, the group list, then every group's transitiveMembers in $batch(es) of 20.
    const paths = graph
      .graphRequests()
      .slice(requests)
      .map((r) => r.path.split('?')[0]!);
    const groups = c.next.groups.length;
    expect(paths).toEqual([
      '/v1.0/users/delta',
      '/v1.0/groups/delta',
      '/v1.0/groups',
      ...Array<string>(Math.ceil(groups / 20)).fill('/v1.0/$batch'),
    ]);
    expect(graph.graphCalls().length - calls).toBe(3 + groups);
    measured.full = {
      writes: writes(h) - before,
      counts: { ...day2.plan!.counts },
      requests: paths.length,
      calls: graph.graphCalls().length - calls,
      teams: teamsState(h.emulator),
    };
    console.log(
      `entra day 2, full read: ${measured.full.writes} writes; ${measured.full.requests} Graph HTTP requests, ${measured.full.calls} Graph calls`,
    );

    await expectQuiet(h, rt, 'full', c);
  });

  it('incremental (delta) read: the same day ends in the same exact state as the full read, re-reading only the changed groups; a second run, incremental or full, writes nothing', async () => {
    const { h, graph, rt, base } = await day1();
    const { c, team4, staleBefore, membersChanged } = day2Edits(h, graph, base);
    const before = writes(h);
    const [requests, calls] = [graph.graphRequests().length, graph.graphCalls().length];
    const day2 = await runSync(rt, { mode: 'incremental', trigger: 'schedule' });
    expect(day2.run.mode).toBe('incremental');
    expectDay2(h, c, team4, staleBefore, day2, before);

    // A delta read: the two delta rounds, then only the groups whose members changed, the groups
    // above them on day 1, and the new group, in $batch(es); no /users or /groups listing.
    const logged = graph
      .graphRequests()
      .slice(requests)
      .map((r) => r.path.split('?')[0]!);
    expect(logged.slice(0, 2)).toEqual(['/v1.0/users/delta', '/v1.0/groups/delta']);
    expect(new Set(logged.slice(2))).toEqual(new Set(['/v1.0/$batch']));
    const above = (id: string) => base.groups.filter((g) => g.sourceId === id).flatMap((g) => g.parentIds);
    const reread = new Set(
      [...membersChanged].flatMap((id) => [id, ...above(id)]).filter((id) => id !== c.deletedGroup.id),
    );
    const inner = graph
      .graphCalls()
      .slice(calls)
      .map((r) => r.path.split('?')[0]!)
      .filter((p) => p.endsWith('/transitiveMembers'));
    expect(inner.sort()).toEqual([...reread].map((id) => `/v1.0/groups/${id}/transitiveMembers`).sort());
    expect(inner.length).toBeLessThan(c.next.groups.length);
    // What makes this day a test of the delta logic, not only of the re-reads (see SEED).
    expect([...reread].filter((id) => !membersChanged.has(id)).length).toBeGreaterThan(0);
    const parentsNext = (id: string) => c.next.groups.find((g) => g.sourceId === id)?.parentIds ?? [];
    const notReread = (p: Snapshot['people'][number]) =>
      p.groupIds.flatMap((g) => [g, ...parentsNext(g)]).every((g) => !reread.has(g));
    expect(notReread(c.next.people[0]!)).toBe(true);
    expect(c.next.people.filter((p) => !p.enabled && notReread(p)).length).toBeGreaterThan(0);
    expect(logged.length).toBe(2 + Math.ceil(reread.size / 20));
    measured.incremental = {
      writes: writes(h) - before,
      counts: { ...day2.plan!.counts },
      requests: logged.length,
      calls: graph.graphCalls().length - calls,
      teams: teamsState(h.emulator),
    };
    console.log(
      `entra day 2, incremental read: ${measured.incremental.writes} writes; ${measured.incremental.requests} Graph HTTP requests, ${measured.incremental.calls} Graph calls (${reread.size} groups re-read of ${c.next.groups.length})`,
    );
    // Same seed, same day: the same operations and the same end state as the full read, when it ran.
    if (measured.full) {
      expect(measured.incremental.teams).toEqual(measured.full.teams);
      expect(measured.incremental.counts).toEqual(measured.full.counts);
      expect(measured.incremental.writes).toBe(measured.full.writes);
    }

    await expectQuiet(h, rt, 'incremental', c);
    // A full read of the same tenant finds nothing the delta missed.
    await expectQuiet(h, rt, 'full', c);
  });
});
