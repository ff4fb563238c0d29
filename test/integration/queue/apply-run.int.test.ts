import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { driveRun, resumeSync } from '../../../src/app/run-sync.js';
import { openRuntime, type Runtime } from '../../../src/app/runtime.js';
import { policySchema } from '../../../src/config/schema.js';
import { RostersyncError } from '../../../src/errors/index.js';
import { silentLogger } from '../../../src/log/logger.js';
import type { Desired, Plan } from '../../../src/model/index.js';
import { makePlan } from '../../../src/plan/make-plan.js';
import { summarisePlan } from '../../../src/store/run-record.js';
import { applyPlan } from '../../../src/queue/apply-plan.js';
import type { ChartioEmulator } from '../../../src/emulators/chartio/index.js';
import { createHarness, type Harness } from '../../support/conformance/chartio.js';
import { writesOf } from '../../support/target-harness.js';

const redisUrl = inject('redisUrl');
let current: Harness | undefined;
const opened: Runtime[] = [];
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  for (const rt of opened.splice(0)) await rt.close();
  await current?.close();
  current = undefined;
});

type HarnessOptions = NonNullable<Parameters<typeof createHarness>[1]>;

/** A fresh emulator and config (its own key prefix, so its own queue) on the test Redis; `queue.concurrency` is each worker set's and the driver's lookahead. */
async function harness(o: HarnessOptions = {}): Promise<Harness> {
  current = await createHarness(redisUrl, { ...o, queue: { concurrency: 8, ...o.queue } });
  return current;
}

/** A runtime as another process on the same config would have it: its own Redis connections, budget object and target. */
async function runtime(onResponse?: () => void): Promise<Runtime> {
  const rt = await openRuntime(current!.configPath, { log: silentLogger, ...(onResponse ? { onResponse } : {}) });
  opened.push(rt);
  return rt;
}

/** Closes a runtime now (and not again after the test). */
async function close(rt: Runtime): Promise<void> {
  opened.splice(opened.indexOf(rt), 1);
  await rt.close();
}

/** The plan from the target as it is now to `desired`. */
async function planFor(rt: Runtime, desired: Desired): Promise<Plan> {
  const { actual, requests } = await rt.target.read();
  const state = await rt.store.planState();
  return makePlan({
    desired,
    actual,
    links: state.links,
    policy: policySchema.parse({}),
    capabilities: rt.target.capabilities,
    tombstones: state.tombstones,
    now: Date.now(),
    readCalls: requests,
    ratePerSecond: 100,
  }).plan;
}

/** Records a run of `plan` with its plan, as runSync and applyReviewedPlan do before driving it. */
async function recordRun(rt: Runtime, plan: Plan, runId = `run-${randomBytes(3).toString('hex')}`): Promise<string> {
  await rt.store.startRun(
    {
      runId,
      profile: rt.profile.name,
      trigger: 'apply',
      mode: 'plan',
      status: 'running',
      startedAt: new Date().toISOString(),
      ...summarisePlan(plan),
    },
    plan,
  );
  return runId;
}

/** Applies `plan` as a run of its own through the one driver. */
async function applyRun(rt: Runtime, plan: Plan, runId?: string) {
  return driveRun(rt, await recordRun(rt, plan, runId), plan);
}

/** People in 1 to 3 of `teams` teams, deterministic. */
function desiredFor(people: number, teams: number): Desired {
  const names = Array.from({ length: teams }, (_, i) => `team-${i}`);
  return {
    teams: names.map((name) => ({ name, key: `group-${name}` })),
    people: Array.from({ length: people }, (_, i) => ({
      sourceId: `src-${i}`,
      email: `p${i}@acme.com`,
      displayName: `Person ${i}`,
      teams: [
        ...new Set([
          names[i % teams]!,
          names[(i * 7 + 3) % teams]!,
          ...(i % 3 === 0 ? [names[(i * 5 + 1) % teams]!] : []),
        ]),
      ].sort(),
    })),
    warnings: [],
  };
}

const minimalWrites = (d: Desired) => d.teams.length + d.people.reduce((n, p) => n + p.teams.length, 0);
const expectedTeams = (d: Desired) => {
  const out: Record<string, string[]> = Object.fromEntries(d.teams.map((t) => [t.name, []]));
  for (const p of d.people) for (const t of p.teams) out[t]!.push(p.email);
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v.sort()]));
};
const managedState = (e: ChartioEmulator) =>
  Object.fromEntries(
    e
      .dump()
      .teams.filter((t) => t.name.startsWith('team-'))
      .map((t) => [t.name, [...t.members].sort()]),
  );
const writes = (e: ChartioEmulator) => writesOf(e);
const appliedWrites = (e: ChartioEmulator) => writes(e).filter((r) => r.applied).length;

describe('applying a plan through the queue', () => {
  it('a backfill from empty reaches exactly the desired state with one write per op', async () => {
    const h = await harness();
    const rt = await runtime();
    rt.startWorkers();
    const desired = desiredFor(40, 5);
    const plan = await planFor(rt, desired);
    expect(plan.phases.flat()).toHaveLength(minimalWrites(desired));

    const summary = await applyRun(rt, plan);

    expect(summary.status).toBe('succeeded');
    expect(managedState(h.emulator)).toEqual(expectedTeams(desired));
    expect(writes(h.emulator)).toHaveLength(plan.phases.flat().length);
    expect(summary.run.counts).toMatchObject({
      'createTeam.applied': 5,
      'createUser.applied': 40,
      done: plan.phases.flat().length,
    });
    expect(summary.run.failures).toEqual([]);
    // Every created user is linked to its directory id, and the run record is finished.
    expect((await rt.store.links.load()).users.size).toBe(40);
    expect((await rt.store.getRun(summary.runId))?.status).toBe('succeeded');
  });

  it('the same run enqueued twice at once sends each op once; the same plan applied again changes nothing', async () => {
    const h = await harness();
    const rt = await runtime();
    rt.startWorkers();
    // A second process driving the same run, with no workers of its own.
    const other = await runtime();
    const desired = desiredFor(30, 4);
    const plan = await planFor(rt, desired);
    const runId = await recordRun(rt, plan, 'run-twice');

    // Two drivers of one run (two processes resuming it): job ids make the second enqueue a no-op.
    await Promise.all([driveRun(rt, runId, plan), driveRun(other, runId, plan)]);
    expect(writes(h.emulator)).toHaveLength(minimalWrites(desired));

    const before = h.emulator.requestLog.length;
    const again = await applyRun(rt, plan);

    expect(again.status).toBe('succeeded');
    expect(h.emulator.requestLog.slice(before).filter((e) => e.method !== 'GET' && e.applied)).toEqual([]);
    expect(Object.keys(again.run.counts).filter((k) => k.endsWith('.applied'))).toEqual([]);
    expect(managedState(h.emulator)).toEqual(expectedTeams(desired));
  });

  it('with 5% 5xx, 2% applied-then-5xx, 1% resets and a 429 storm, the state is exact and each op is applied once', async () => {
    const h = await harness({
      emulator: { errorRate: 0.05, appliedButErrorRate: 0.02, resetRate: 0.01, seed: 7 },
      queue: { concurrency: 16 },
    });
    const rt = await runtime();
    rt.startWorkers();
    const desired = desiredFor(120, 8);
    const plan = await planFor(rt, desired);
    h.emulator.setOptions({ rateLimit: { max: 50, windowMs: 1000 } });

    const summary = await applyRun(rt, plan);

    expect(summary.status).toBe('succeeded');
    expect(managedState(h.emulator)).toEqual(expectedTeams(desired));
    const stats = h.emulator.stats();
    expect(stats.rateLimited).toBeGreaterThan(0);
    expect(stats.injected5xx).toBeGreaterThan(0);
    expect(stats.appliedThen5xx).toBeGreaterThan(0);
    expect(stats.resets).toBeGreaterThan(0);
    expect(appliedWrites(h.emulator)).toBe(minimalWrites(desired));
  });

  it('feeds a big phase to the queue one window at a time: Redis never holds more than the window, and the run ends exact', async () => {
    const h = await harness({ queue: { window: 500, concurrency: 8 } });
    const rt = await runtime();
    rt.startWorkers();
    const desired = desiredFor(1500, 4);
    const plan = await planFor(rt, desired);
    expect(Math.max(...plan.phases.map((p) => p.length))).toBeGreaterThan(1500);

    let most = 0;
    const sample = setInterval(() => {
      void rt.queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized').then((c) => {
        most = Math.max(
          most,
          Object.values(c).reduce((n, v) => n + v, 0),
        );
      });
    }, 5);
    cleanups.push(async () => clearInterval(sample));
    const summary = await applyRun(rt, plan);
    clearInterval(sample);

    expect(summary.status).toBe('succeeded');
    expect(managedState(h.emulator)).toEqual(expectedTeams(desired));
    expect(appliedWrites(h.emulator)).toBe(minimalWrites(desired));
    // Jobs whose outcome is recorded are removed a moment later: at most a worker set's worth over.
    expect(most).toBeLessThanOrEqual(500 + 8);
    expect(most).toBeGreaterThan(250);
  });

  it('feeds a whole phase before moving on even when the lookahead exceeds the window: no op waits for the stall sweep', async () => {
    const h = await harness({ queue: { window: 500, concurrency: 8 } });
    const rt = await runtime();
    rt.startWorkers();
    const desired = desiredFor(1500, 4);
    const plan = await planFor(rt, desired);
    const runId = await recordRun(rt, plan);
    const warnings: string[] = [];
    const log = pino({ level: 'warn' }, { write: (line: string) => void warnings.push(line) });

    await applyPlan(
      {
        queue: rt.queue,
        store: rt.store,
        log,
        retry: { attempts: 8, backoffMs: 20 },
        lookahead: 1000,
        window: 500,
        stallMs: 5000,
      },
      runId,
      rt.profile.name,
      plan,
    );

    expect(warnings.filter((w) => w.includes('enqueued again'))).toEqual([]);
    expect(managedState(h.emulator)).toEqual(expectedTeams(desired));
    expect(appliedWrites(h.emulator)).toBe(minimalWrites(desired));
  });

  it('a failed op skips exactly the ops that depend on it, and nothing else', async () => {
    // Owners + 2 teams fit: one of the three team creations is refused (403), for good.
    await harness({ emulator: { maxTeams: 3 } });
    const rt = await runtime();
    rt.startWorkers();
    const plan = await planFor(rt, desiredFor(24, 3));
    const ops = plan.phases.flat();

    const summary = await applyRun(rt, plan);

    const outcomes = new Map(ops.map((op, i) => [op.key, i]));
    const got = await rt.store.outcomes(
      summary.runId,
      ops.map((o) => o.key),
    );
    const failed = new Set(ops.filter((o) => got[outcomes.get(o.key)!] === 'failed').map((o) => o.key));
    const skipped = new Set(ops.filter((o) => got[outcomes.get(o.key)!] === 'skipped-dependency').map((o) => o.key));
    const expectedSkipped = new Set<string>();
    for (let grew = true; grew;) {
      grew = false;
      for (const op of ops) {
        if (
          !failed.has(op.key) &&
          !expectedSkipped.has(op.key) &&
          op.dependsOn.some((d) => failed.has(d) || expectedSkipped.has(d))
        ) {
          expectedSkipped.add(op.key);
          grew = true;
        }
      }
    }
    expect(summary.status).toBe('partial');
    expect([...failed]).toHaveLength(1);
    expect(summary.run.failures.find((f) => failed.has(f.opKey))?.reason).toMatch(/403/);
    expect(skipped.size).toBeGreaterThan(0);
    expect(skipped).toEqual(expectedSkipped);
    expect(got.filter((o) => o === 'applied')).toHaveLength(ops.length - 1 - skipped.size);
  });

  it('two worker sets with their own connections and budget objects never exceed the shared budget', async () => {
    // The emulator admits exactly the API limit; the budget uses 95% of it: any overshoot is a 429.
    const h = await harness({
      emulator: { rateLimit: { max: 100, windowMs: 5000 }, latencyMs: [5, 20] },
      rateLimit: { max: 100, duration: 5000, headroom: 0.95 },
      queue: { concurrency: 4 },
    });
    const rt = await runtime();
    const desired = desiredFor(50, 4);
    const plan = await planFor(rt, desired);
    const calls = { first: 0, second: 0 };
    // Two processes: each its own Redis connections, budget object and target, counted apart.
    const first = await runtime(() => void calls.first++);
    const second = await runtime(() => void calls.second++);
    first.startWorkers();
    second.startWorkers();
    const runId = await recordRun(rt, plan, 'run-shared');

    await Promise.all([driveRun(first, runId, plan), driveRun(second, runId, plan)]);

    expect(h.emulator.stats().rateLimited).toBe(0);
    expect(managedState(h.emulator)).toEqual(expectedTeams(desired));
    expect(calls.first).toBeGreaterThan(0);
    expect(calls.second).toBeGreaterThan(0);
  });

  it('workers closed abruptly mid-run: a new set resumes from the stored plan, sending at most the in-flight ops again', async () => {
    const h = await harness({ emulator: { latencyMs: [20, 40] }, queue: { concurrency: 4 } });
    const crashed = await runtime();
    const workers = crashed.startWorkers();
    const desired = desiredFor(90, 5);
    const plan = await planFor(crashed, desired);
    const minimum = minimalWrites(desired);
    const stop = new AbortController();
    const watch = setInterval(() => writes(h.emulator).length >= minimum / 3 && stop.abort(new Error('crash')), 5);
    cleanups.push(async () => clearInterval(watch));
    const runId = await recordRun(crashed, plan, 'run-crash');

    await expect(driveRun(crashed, runId, plan, { signal: stop.signal })).rejects.toThrow('crash');
    // The process dies: its workers stop at once (jobs in flight keep their locks until they lapse), its connections drop.
    await workers.close(true);
    await close(crashed);
    const rt = await runtime();
    expect((await rt.store.getRun(runId))?.status).toBe('running');
    expect(writes(h.emulator).length).toBeLessThan(minimum);

    rt.startWorkers();
    const readsBefore = h.emulator.requestLog.filter((e) => e.method === 'GET').length;
    const summary = await resumeSync(rt, {}, runId);

    expect(summary.status).toBe('succeeded');
    expect(managedState(h.emulator)).toEqual(expectedTeams(desired));
    expect(appliedWrites(h.emulator)).toBe(minimum);
    expect(writes(h.emulator).length).toBeLessThanOrEqual(minimum + 4);
    // The resumed run did not read the target again (a 409 lookup would be the only GET).
    expect(h.emulator.requestLog.filter((e) => e.method === 'GET').length - readsBefore).toBeLessThanOrEqual(4);
    const again = resumeSync(rt, {}, runId);
    await expect(again).rejects.toBeInstanceOf(RostersyncError);
    await expect(again).rejects.toMatchObject({ code: 'NO_RUN_TO_RESUME' });
  });
});
