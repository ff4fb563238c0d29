import { afterEach, describe, expect, inject, it } from 'vitest';
import { runSync } from '../../../src/app/run-sync.js';
import type { Snapshot } from '../../../src/model/index.js';
import { DEFAULT_OWNER } from '../../../src/emulators/adminv3/index.js';
import {
  createV3Harness,
  expectedRoles,
  leaversOf,
  minimumWrites,
  v3State,
  workday,
  type V3Harness,
} from '../../support/conformance/adminv3.js';
import { writesOf } from '../../support/target-harness.js';
import { generateDirectory } from '../../support/synthetic-directory.js';

const redisUrl = inject('redisUrl');
let h: V3Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** 2,000 people in 80 groups nested two deep: the scenario. */
const bigDirectory = () => generateDirectory({ people: 2000, groups: 80, memberships: 4000, nestingDepth: 2, seed: 7 });

describe('Admin API v3 end to end (CSV -> queue -> emulator over HTTP)', () => {
  it('backfills 2,000 people / 80 nested groups with one invitation each (the minimum), then writes nothing; pending users are never invited again', async () => {
    h = await createV3Harness(redisUrl);
    const dir = bigDirectory();
    h.writeDirectory(dir);
    const rt = await h.runtime();
    rt.startWorkers();

    const first = await runSync(rt, { mode: 'full', trigger: 'backfill' });

    const want = expectedRoles(dir);
    expect(first.status).toBe('succeeded');
    expect(v3State(h.emulator)).toEqual({ roles: want, disabled: [] });
    expect(writesOf(h.emulator)).toHaveLength(Object.keys(want).length);
    expect(new Set(Object.values(want))).toEqual(new Set(['viewer', 'editor', 'admin']));
    // Every invitation is still pending: they count as provisioned.
    expect(h.emulator.dump().filter((u) => u.status === 'pending')).toHaveLength(Object.keys(want).length);

    const second = await runSync(rt, { mode: 'full', trigger: 'backfill' });
    expect(second.plan!.phases.flat()).toHaveLength(0);
    expect(writesOf(h.emulator)).toHaveLength(Object.keys(want).length);
  });

  it('a day of 5% churn: hires invited, leavers and the old address disabled, role changes, a renamed and a deleted group; exact with the minimum writes; a returning person is enabled, not invited', async () => {
    h = await createV3Harness(redisUrl, { emulator: { acceptInvitationsAfterMs: 0 } });
    const day1 = bigDirectory();
    h.writeDirectory(day1);
    const rt = await h.runtime();
    rt.startWorkers();
    expect((await runSync(rt, { mode: 'full', trigger: 'backfill' })).status).toBe('succeeded');
    const before = expectedRoles(day1);
    const writes1 = writesOf(h.emulator).length;

    const day2 = workday(day1, 3);
    h.writeDirectory(day2);
    const second = await runSync(rt, { mode: 'full', trigger: 'schedule' });

    const after = expectedRoles(day2);
    expect(second.status).toBe('succeeded');
    expect(v3State(h.emulator)).toEqual({ roles: after, disabled: leaversOf(before, after) });
    expect(after[day2.people[7]!.email]).toBe('admin');
    expect(second.plan!.counts.disableUser).toBe(leaversOf(before, after).length);
    expect(second.plan!.counts.setRole).toBeGreaterThan(0);
    expect(writesOf(h.emulator).length - writes1).toBe(minimumWrites(before, after));
    expect((await runSync(rt, { mode: 'full', trigger: 'schedule' })).plan!.phases.flat()).toHaveLength(0);

    // Day 3: a leaver comes back, now in group-0.
    const back = day1.people.find(
      (p) => leaversOf(before, after).includes(p.email) && !day2.people.some((q) => q.sourceId === p.sourceId),
    )!;
    const day3: Snapshot = { ...day2, people: [...day2.people, { ...back, groupIds: ['g0'] }] };
    h.writeDirectory(day3);
    const writes2 = writesOf(h.emulator).length;
    const third = await runSync(rt, { mode: 'full', trigger: 'schedule' });
    expect(third.plan!.counts.enableUser).toBe(1);
    expect(third.plan!.counts.createUser).toBe(0);
    expect(
      writesOf(h.emulator)
        .slice(writes2)
        .map((w) => w.method),
    ).toEqual(['PATCH']);
    expect(h.emulator.dump().find((u) => u.email === back.email)).toMatchObject({ role: 'admin', status: 'active' });
    expect(v3State(h.emulator).roles).toEqual(expectedRoles(day3));
  });

  it('with 5xx, applied-then-5xx and connection resets the state is exact and each write is applied once', async () => {
    h = await createV3Harness(redisUrl, {
      emulator: { errorRate: 0.05, appliedButErrorRate: 0.03, resetRate: 0.01, seed: 5 },
    });
    const day1 = generateDirectory({ people: 400, groups: 30, memberships: 800, nestingDepth: 2, seed: 8 });
    h.writeDirectory(day1);
    const rt = await h.runtime();
    rt.startWorkers();

    const first = await runSync(rt, { mode: 'full', trigger: 'backfill' });
    const before = expectedRoles(day1);
    expect(first.status).toBe('succeeded');
    expect(v3State(h.emulator)).toEqual({ roles: before, disabled: [] });

    const day2 = workday(day1, 4);
    h.writeDirectory(day2);
    const second = await runSync(rt, { mode: 'full', trigger: 'schedule' });
    const after = expectedRoles(day2);
    expect(second.status).toBe('succeeded');
    expect(v3State(h.emulator)).toEqual({ roles: after, disabled: leaversOf(before, after) });

    const s = h.emulator.stats();
    expect(s.injected5xx).toBeGreaterThan(0);
    expect(s.appliedThen5xx).toBeGreaterThan(0);
    expect(s.resets).toBeGreaterThan(0);
    // Every state change happened exactly once: applied writes equal the minimum of both days.
    expect(writesOf(h.emulator).filter((w) => w.applied)).toHaveLength(
      Object.keys(before).length + minimumWrites(before, after),
    );
  });

  it('deprovision: delete-user deletes leavers; a person who returns after that is invited again', async () => {
    h = await createV3Harness(redisUrl, { policy: { deprovision: 'delete-user' } });
    const day1 = generateDirectory({ people: 40, groups: 4, memberships: 60, seed: 9 });
    h.writeDirectory(day1);
    const rt = await h.runtime();
    rt.startWorkers();
    await runSync(rt, { mode: 'full', trigger: 'backfill' });
    const gone = day1.people[3]!;
    h.writeDirectory({ ...day1, people: day1.people.filter((p) => p !== gone) });

    const out = await runSync(rt, { mode: 'full', trigger: 'schedule' });

    expect(out.plan!.counts.deleteUser).toBe(1);
    expect(h.emulator.dump().map((u) => u.email)).not.toContain(gone.email);
    h.writeDirectory(day1);
    expect((await runSync(rt, { mode: 'full', trigger: 'schedule' })).plan!.counts.createUser).toBe(1);
    expect(v3State(h.emulator).roles).toEqual(expectedRoles(day1));
  });

  it("never demotes, disables or deletes the API key's own user", async () => {
    h = await createV3Harness(redisUrl);
    const dir = generateDirectory({ people: 10, groups: 3, memberships: 10, seed: 10 });
    // The key's owner is in the directory as a plain viewer.
    dir.people[0] = { ...dir.people[0]!, email: DEFAULT_OWNER, groupIds: ['g2'] };
    h.writeDirectory(dir);
    const rt = await h.runtime();
    rt.startWorkers();

    const out = await runSync(rt, { mode: 'full', trigger: 'backfill' });

    expect(out.status).toBe('succeeded');
    expect(h.emulator.dump().find((u) => u.email === DEFAULT_OWNER)).toMatchObject({ role: 'admin', status: 'active' });
    h.writeDirectory({ ...dir, people: dir.people.slice(1) });
    const gone = await runSync(rt, { mode: 'full', trigger: 'schedule' });
    expect(gone.plan!.phases.flat().filter((o) => o.kind !== 'createUser')).toEqual([]);
    expect(h.emulator.dump().find((u) => u.email === DEFAULT_OWNER)).toMatchObject({ role: 'admin', status: 'active' });
  });
});
