import { afterEach, describe, expect, inject, it } from 'vitest';
import { runSync } from '../../../src/app/run-sync.js';
import type { Snapshot } from '../../../src/model/index.js';
import { churn, generateDirectory } from '../../support/synthetic-directory.js';
import {
  createDcHarness,
  expectedTenant,
  expectedUnits,
  tenantState,
  type DcHarness,
} from '../../support/conformance/datacentral.js';
import { writesOf } from '../../support/target-harness.js';

const redisUrl = inject('redisUrl');
let h: DcHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const writes = (h: DcHarness) => writesOf(h.emulator);
const applied = (h: DcHarness) => writes(h).filter((r) => r.applied);
/** 2,000 people in 80 groups nested two deep, with first and last names. */
const bigDirectory = (): Snapshot => {
  const d = generateDirectory({ people: 2000, groups: 80, memberships: 4000, nestingDepth: 2, seed: 7 });
  return { ...d, people: d.people.map((p, i) => ({ ...p, givenName: `Given${i}`, familyName: `Family${i}` })) };
};
/** User writes per user: POSTs by email cannot be told apart in the log, PATCH and DELETE by id can. */
function writesPerUser(h: DcHarness, from = 0): number {
  const n = new Map<string, number>();
  for (const r of writes(h).slice(from))
    if (/^\/v1\/users\/[^/]+$/.test(r.path)) n.set(r.path, (n.get(r.path) ?? 0) + 1);
  return Math.max(0, ...n.values());
}

describe('DataCentral end to end (CSV -> queue -> emulator over HTTP)', () => {
  it('backfills 2,000 people / 80 nested groups with one write per user, one per unit and one per new role, then writes nothing', async () => {
    h = await createDcHarness(redisUrl);
    const dir = bigDirectory();
    h.writeDirectory(dir);
    const rt = await h.runtime();
    rt.startWorkers();

    const first = await runSync(rt, { mode: 'full', trigger: 'backfill' });

    expect(first.status).toBe('succeeded');
    const want = expectedTenant(dir);
    expect(tenantState(h.emulator)).toEqual(want);
    // The unit tree mirrors the nesting: group-40 nests in group-0.
    expect(h.emulator.dump().units.map((u) => u.path)).toContain('team-0/team-40');
    const minimum = Object.keys(want).length + expectedUnits(dir) + 1;
    expect(writes(h)).toHaveLength(minimum);
    expect(h.emulator.dump().roles.map((r) => r.name)).toContain('EMEA Sales');

    const before = writes(h).length;
    const second = await runSync(rt, { mode: 'full', trigger: 'backfill' });
    expect(second.plan!.phases.flat()).toHaveLength(0);
    expect(writes(h)).toHaveLength(before);
  });

  it('a day of 5% churn (movers, leavers, hires, an email change, a role change, a renamed and a deleted group) is exact with one write per changed user', async () => {
    h = await createDcHarness(redisUrl, { target: { units: { createRenamedOUs: true } } });
    const day1 = generateDirectory({ people: 600, groups: 30, memberships: 1200, nestingDepth: 2, seed: 21 });
    h.writeDirectory(day1);
    const rt = await h.runtime();
    rt.startWorkers();
    expect((await runSync(rt, { mode: 'full', trigger: 'backfill' })).status).toBe('succeeded');
    const before = tenantState(h.emulator);

    const moved = churn(day1, { share: 0.05, seed: 22 });
    // group-3 renamed, group-20 (a leaf: nothing nests in it) deleted, one person promoted by joining group-0.
    const groups = moved.groups
      .filter((g) => g.sourceId !== 'g20')
      .map((g) => (g.sourceId === 'g3' ? { ...g, name: 'group-3-emea' } : g));
    const people = moved.people.map((p, i) => ({
      ...p,
      groupIds: p.groupIds.filter((g) => g !== 'g20').concat(i === 5 && !p.groupIds.includes('g0') ? ['g0'] : []),
    }));
    const day2: Snapshot = { people, groups, issues: [] };
    h.writeDirectory(day2);
    const mark = writes(h).length;

    const out = await runSync(rt, { mode: 'full', trigger: 'backfill' });

    expect(out.status).toBe('succeeded');
    const want = expectedTenant(day2);
    const state = tenantState(h.emulator);
    // Directory people exact; everyone else (leavers, the old address) stripped of roles and units.
    for (const [email, s] of Object.entries(state))
      expect(s).toEqual(want[email] ?? { ...before[email], roles: [], units: [] });
    expect(Object.keys(want).every((e) => state[e] !== undefined)).toBe(true);
    expect(out.plan!.warnings.join('\n')).toMatch(/group "group-20" is gone: team "team-20" emptied/);
    expect(out.plan!.warnings.join('\n')).toMatch(/renamed or moved to "team-3-emea"/);
    expect(writesPerUser(h, mark)).toBe(1);
    // The fewest writes: a user write per person whose lists or names changed (leavers included), a create per new address, a unit per new path.
    const changed = Object.keys(state).filter(
      (e) => before[e] !== undefined && JSON.stringify(before[e]) !== JSON.stringify(state[e]),
    ).length;
    const created = Object.keys(state).filter((e) => before[e] === undefined).length;
    const newUnits = h.emulator.dump().units.length - expectedUnits(day1);
    expect(writes(h).slice(mark)).toHaveLength(changed + created + newUnits);

    const again = await runSync(rt, { mode: 'full', trigger: 'backfill' });
    expect(again.plan!.phases.flat()).toHaveLength(0);
  });

  it('with 5xx, applied-then-5xx and connection resets the state is exact and each write is applied once', async () => {
    h = await createDcHarness(redisUrl, {
      emulator: { errorRate: 0.05, appliedButErrorRate: 0.03, resetRate: 0.01, seed: 5 },
    });
    const dir = generateDirectory({ people: 400, groups: 30, memberships: 800, nestingDepth: 2, seed: 8 });
    h.writeDirectory(dir);
    const rt = await h.runtime();
    rt.startWorkers();

    const out = await runSync(rt, { mode: 'full', trigger: 'backfill' });

    expect(out.status).toBe('succeeded');
    expect(tenantState(h.emulator)).toEqual(expectedTenant(dir));
    const s = h.emulator.stats();
    expect(s.injected5xx + s.appliedThen5xx + s.resets).toBeGreaterThan(0);
    expect(s.appliedThen5xx).toBeGreaterThan(0);
    expect(applied(h)).toHaveLength(Object.keys(expectedTenant(dir)).length + expectedUnits(dir) + 1);
    const second = await runSync(rt, { mode: 'full', trigger: 'backfill' });
    expect(second.plan!.phases.flat()).toHaveLength(0);
  });

  it('a retried PATCH after an applied-then-5xx sends the same whole lists again', async () => {
    h = await createDcHarness(redisUrl);
    const day1 = generateDirectory({ people: 60, groups: 6, memberships: 120, seed: 31 });
    h.writeDirectory(day1);
    const rt = await h.runtime();
    rt.startWorkers();
    await runSync(rt, { mode: 'full', trigger: 'backfill' });
    const day2 = {
      ...day1,
      people: day1.people.map((p) => ({ ...p, groupIds: p.groupIds.length > 1 ? p.groupIds.slice(1) : ['g1', 'g2'] })),
    };
    h.writeDirectory(day2);
    h.emulator.setOptions({ appliedButErrorRate: 0.3, seed: 3 });

    const out = await runSync(rt, { mode: 'full', trigger: 'backfill' });

    expect(out.status).toBe('succeeded');
    expect(tenantState(h.emulator)).toEqual(expectedTenant(day2));
    const patches = h.emulator.requestLog.filter((r) => r.method === 'PATCH');
    const retried = patches.filter((r) => r.fault === 'applied-then-error');
    expect(retried.length).toBeGreaterThan(0);
    // Every retried path was answered 200 later: the same lists, written again, changed nothing more.
    for (const r of retried) expect(patches.some((p) => p.path === r.path && p.status === 200)).toBe(true);
  });

  it('deprovision delete-user deletes leavers but never the last Admin', async () => {
    h = await createDcHarness(redisUrl, { policy: { deprovision: 'delete-user', minSourceRatio: 0 } });
    const dir = generateDirectory({ people: 40, groups: 4, memberships: 80, seed: 41 });
    h.writeDirectory(dir);
    const rt = await h.runtime();
    rt.startWorkers();
    await runSync(rt, { mode: 'full', trigger: 'backfill' });
    // Everyone leaves but a few non-admins: the owner stays Admin, so the directory's admins may go.
    const kept = dir.people.filter((p) => !p.groupIds.includes('g0')).slice(0, 5);
    h.writeDirectory({ ...dir, people: kept });

    const out = await runSync(rt, { mode: 'full', trigger: 'backfill' });

    expect(out.status).toBe('succeeded');
    expect(Object.keys(tenantState(h.emulator)).sort()).toEqual(kept.map((p) => p.email).sort());
    expect(h.emulator.dump().users.find((u) => u.email === h!.emulator.options.ownerEmail)?.roles).toEqual(['Admin']);
  });

  it("with linkEntraGroups the units it creates carry their group ids; direct membership puts people only in their own groups' units", async () => {
    h = await createDcHarness(redisUrl, { target: { units: { linkEntraGroups: true, membership: 'direct' } } });
    const dir = generateDirectory({ people: 50, groups: 6, memberships: 80, nestingDepth: 2, seed: 51 });
    h.writeDirectory(dir);
    const rt = await h.runtime();
    rt.startWorkers();

    await runSync(rt, { mode: 'full', trigger: 'backfill' });

    expect(h.emulator.dump().units.every((u) => u.entraGroupId !== null && /^g\d+$/.test(u.entraGroupId))).toBe(true);
    expect(tenantState(h.emulator)).toEqual(expectedTenant(dir, { direct: true }));
  });

  it('units from paths: "Region/EMEA/Sales" builds the units on the way, each person only in their own', async () => {
    const mapping = {
      rules: [
        { match: '^group-([0-2])$', team: 'Region/EMEA/team-$1' },
        { match: '^group-([3-5])$', team: 'Region/APAC/team-$1' },
      ],
    };
    h = await createDcHarness(redisUrl, { target: { units: { from: 'path' } }, mapping });
    const dir = generateDirectory({ people: 60, groups: 6, memberships: 90, seed: 61 });
    h.writeDirectory(dir);
    const rt = await h.runtime();
    rt.startWorkers();

    const out = await runSync(rt, { mode: 'full', trigger: 'backfill' });

    expect(out.status).toBe('succeeded');
    expect(h.emulator.dump().units.map((u) => u.path)).toEqual([
      'Region',
      'Region/APAC',
      ...[3, 4, 5].map((i) => `Region/APAC/team-${i}`),
      'Region/EMEA',
      ...[0, 1, 2].map((i) => `Region/EMEA/team-${i}`),
    ]);
    expect(tenantState(h.emulator)).toEqual(expectedTenant(dir, { mapping, units: 'path' }));
  });
});
