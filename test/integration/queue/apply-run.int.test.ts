import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { policySchema } from '../../../src/config/schema.js';
import { createChartioEmulator, type ChartioEmulator, type ChartioEmulatorOptions } from '../../../src/targets/chartio/emulator/index.js';
import { silentLogger } from '../../../src/log/logger.js';
import type { Desired, Plan } from '../../../src/model/index.js';
import { makePlan } from '../../../src/plan/make-plan.js';
import { applyRun, resumeRun, type ApplyRunOptions } from '../../../src/queue/orchestrator.js';
import { RunNotResumableError } from '../../../src/queue/queue-errors.js';
import { RateBudget, type BudgetSpec } from '../../../src/queue/rate-budget.js';
import { budgetKey, queuePrefix } from '../../../src/store/keys.js';
import { Store } from '../../../src/store/store.js';
import { ChartioTarget } from '../../../src/targets/chartio/index.js';

const redisUrl = inject('redisUrl');
const SECRET = 'queue-test-secret';
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Rig {
  emulator: ChartioEmulator;
  store: Store;
  redis: Redis;
  /** A target wired to a budget on its own connection, as another process would have. */
  target(budget?: RateBudget, onResponse?: () => void): ChartioTarget;
  budget(redis?: Redis): RateBudget;
  plan(desired: Desired): Promise<Plan>;
  opts(over?: Partial<ApplyRunOptions>): ApplyRunOptions;
}

/** A fresh emulator and a unique key prefix (its queue too) on the test Redis; removed after the test. */
async function rig(o: { emulator?: ChartioEmulatorOptions; budget?: BudgetSpec } = {}): Promise<Rig> {
  const emulator = await createChartioEmulator({ org: 'acme', apiKey: 'key', apiSecret: SECRET, rateLimit: false, ...o.emulator });
  const prefix = `qt-${randomBytes(4).toString('hex')}`;
  const redis = new Redis(redisUrl);
  cleanups.push(async () => {
    await emulator.close();
    for (const pattern of [`${prefix}:*`, `${queuePrefix(prefix)}:*`]) {
      const keys = await redis.keys(pattern);
      if (keys.length > 0) await redis.del(...keys);
    }
    await redis.quit();
  });
  const spec = o.budget ?? { max: 100_000, durationMs: 1000, headroom: 1 };
  const budget = (conn = redis) => new RateBudget(conn, budgetKey(prefix, new URL(emulator.url).host), spec);
  const target = (b = budget(), onResponse?: () => void) => new ChartioTarget(
    { kind: 'chartio', baseUrl: `${emulator.url}/v1`, org: 'acme', apiKey: 'key', apiSecret: SECRET, timeoutMs: 5000, rateLimit: { max: spec.max, duration: spec.durationMs, headroom: spec.headroom } },
    { beforeRequest: () => b.acquire(), onRateLimited: (ms) => b.pause(ms), backoffMs: 20, ...(onResponse ? { onResponse } : {}) },
  );
  const store = new Store(redis, prefix, 'hr');
  return {
    emulator, store, redis, target, budget,
    async plan(desired) {
      const t = target();
      const { actual, requests } = await t.read();
      const state = await store.planState();
      return makePlan({ desired, actual, links: state.links, policy: policySchema.parse({}), capabilities: t.capabilities, tombstones: state.tombstones, now: Date.now(), readCalls: requests, ratePerSecond: 100 }).plan;
    },
    opts: (over = {}) => ({
      runId: `run-${randomBytes(3).toString('hex')}`, target: target(), store, budget: budget(), redis, log: silentLogger, concurrency: 8, retry: { attempts: 8, backoffMs: 20 }, ...over,
    }),
  };
}

/** People in 1 to 3 of `teams` teams, deterministic. */
function desiredFor(people: number, teams: number): Desired {
  const names = Array.from({ length: teams }, (_, i) => `team-${i}`);
  return {
    teams: names.map((name) => ({ name, key: `group-${name}` })),
    people: Array.from({ length: people }, (_, i) => ({
      sourceId: `src-${i}`, email: `p${i}@acme.com`, displayName: `Person ${i}`,
      teams: [...new Set([names[i % teams]!, names[(i * 7 + 3) % teams]!, ...(i % 3 === 0 ? [names[(i * 5 + 1) % teams]!] : [])])].sort(),
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
const managedState = (e: ChartioEmulator) => Object.fromEntries(e.dump().teams.filter((t) => t.name.startsWith('team-')).map((t) => [t.name, [...t.members].sort()]));
const writes = (e: ChartioEmulator) => e.requestLog.filter((r) => r.method !== 'GET');
const appliedWrites = (e: ChartioEmulator) => writes(e).filter((r) => r.applied).length;

describe('applying a plan through the queue', () => {
  it('a backfill from empty reaches exactly the desired state with one write per op', async () => {
    const r = await rig();
    const desired = desiredFor(40, 5);
    const plan = await r.plan(desired);
    expect(plan.phases.flat()).toHaveLength(minimalWrites(desired));

    const summary = await applyRun(plan, r.opts());

    expect(summary.status).toBe('succeeded');
    expect(managedState(r.emulator)).toEqual(expectedTeams(desired));
    expect(writes(r.emulator)).toHaveLength(summary.ops);
    expect(summary.counts).toMatchObject({ 'createTeam.applied': 5, 'createUser.applied': 40, done: summary.ops });
    expect(summary.failures).toEqual([]);
    // Every created user is linked to its directory id, and the run record is finished.
    expect((await r.store.links.load()).users.size).toBe(40);
    expect((await r.store.getRun(summary.runId))?.status).toBe('succeeded');
  });

  it('the same run enqueued twice at once sends each op once; the same plan applied again changes nothing', async () => {
    const r = await rig();
    const desired = desiredFor(30, 4);
    const plan = await r.plan(desired);
    const runId = 'run-twice';

    // Two drivers of one run (two processes resuming it): job ids make the second enqueue a no-op.
    await Promise.all([applyRun(plan, r.opts({ runId })), applyRun(plan, r.opts({ runId, workers: 0 }))]);
    expect(writes(r.emulator)).toHaveLength(minimalWrites(desired));

    const before = r.emulator.requestLog.length;
    const again = await applyRun(plan, r.opts());

    expect(again.status).toBe('succeeded');
    expect(r.emulator.requestLog.slice(before).filter((e) => e.method !== 'GET' && e.applied)).toEqual([]);
    expect(Object.keys(again.counts).filter((k) => k.endsWith('.applied'))).toEqual([]);
    expect(managedState(r.emulator)).toEqual(expectedTeams(desired));
  });

  it('with 5% 5xx, 2% applied-then-5xx, 1% resets and a 429 storm, the state is exact and each op is applied once', async () => {
    const r = await rig({ emulator: { errorRate: 0.05, appliedButErrorRate: 0.02, resetRate: 0.01, seed: 7 } });
    const desired = desiredFor(120, 8);
    const plan = await r.plan(desired);
    r.emulator.setOptions({ rateLimit: { max: 50, windowMs: 1000 } });

    const summary = await applyRun(plan, r.opts({ concurrency: 16 }));

    expect(summary.status).toBe('succeeded');
    expect(managedState(r.emulator)).toEqual(expectedTeams(desired));
    const stats = r.emulator.stats();
    expect(stats.rateLimited).toBeGreaterThan(0);
    expect(stats.injected5xx).toBeGreaterThan(0);
    expect(stats.appliedThen5xx).toBeGreaterThan(0);
    expect(stats.resets).toBeGreaterThan(0);
    expect(appliedWrites(r.emulator)).toBe(minimalWrites(desired));
  });

  it('a failed op skips exactly the ops that depend on it, and nothing else', async () => {
    // Owners + 2 teams fit: one of the three team creations is refused (403), for good.
    const r = await rig({ emulator: { maxTeams: 3 } });
    const plan = await r.plan(desiredFor(24, 3));
    const ops = plan.phases.flat();

    const summary = await applyRun(plan, r.opts());

    const outcomes = new Map(ops.map((op, i) => [op.key, i]));
    const got = await r.store.outcomes(summary.runId, ops.map((o) => o.key));
    const failed = new Set(ops.filter((o) => got[outcomes.get(o.key)!] === 'failed').map((o) => o.key));
    const skipped = new Set(ops.filter((o) => got[outcomes.get(o.key)!] === 'skipped-dependency').map((o) => o.key));
    const expectedSkipped = new Set<string>();
    for (let grew = true; grew; ) {
      grew = false;
      for (const op of ops) {
        if (!failed.has(op.key) && !expectedSkipped.has(op.key) && op.dependsOn.some((d) => failed.has(d) || expectedSkipped.has(d))) {
          expectedSkipped.add(op.key);
          grew = true;
        }
      }
    }
    expect(summary.status).toBe('partial');
    expect([...failed]).toHaveLength(1);
    expect(summary.failures.find((f) => failed.has(f.opKey))?.reason).toMatch(/403/);
    expect(skipped.size).toBeGreaterThan(0);
    expect(skipped).toEqual(expectedSkipped);
    expect(got.filter((o) => o === 'applied')).toHaveLength(ops.length - 1 - skipped.size);
  });

  it('two worker sets with their own connections and budget objects never exceed the shared budget', async () => {
    // The emulator admits exactly the API limit; the budget uses 95% of it: any overshoot is a 429.
    const spec = { max: 100, durationMs: 5000, headroom: 0.95 };
    const r = await rig({ emulator: { rateLimit: { max: 100, windowMs: 5000 }, latencyMs: [5, 20] }, budget: spec });
    const desired = desiredFor(50, 4);
    const plan = await r.plan(desired);
    const other = new Redis(redisUrl);
    cleanups.push(() => other.quit());
    const calls = { first: 0, second: 0 };
    const counted = (which: keyof typeof calls, b: RateBudget) => r.target(b, () => void calls[which]++);
    const firstBudget = r.budget();
    const secondBudget = r.budget(other);
    const runId = 'run-shared';

    await Promise.all([
      applyRun(plan, r.opts({ runId, target: counted('first', firstBudget), budget: firstBudget, concurrency: 4 })),
      applyRun(plan, r.opts({ runId, target: counted('second', secondBudget), budget: secondBudget, redis: other, concurrency: 4 })),
    ]);

    expect(r.emulator.stats().rateLimited).toBe(0);
    expect(managedState(r.emulator)).toEqual(expectedTeams(desired));
    expect(calls.first).toBeGreaterThan(0);
    expect(calls.second).toBeGreaterThan(0);
  });

  it('workers closed abruptly mid-run: a new set resumes from the stored plan, sending at most the in-flight ops again', async () => {
    const r = await rig({ emulator: { latencyMs: [20, 40] } });
    const desired = desiredFor(90, 5);
    const plan = await r.plan(desired);
    const minimum = minimalWrites(desired);
    const stop = new AbortController();
    const watch = setInterval(() => writes(r.emulator).length >= minimum / 3 && stop.abort(new Error('crash')), 5);
    cleanups.push(async () => clearInterval(watch));
    const runId = 'run-crash';

    await expect(applyRun(plan, r.opts({ runId, concurrency: 4, signal: stop.signal, closeTimeoutMs: 0 }))).rejects.toThrow('crash');
    expect((await r.store.getRun(runId))?.status).toBe('running');
    expect(writes(r.emulator).length).toBeLessThan(minimum);

    const readsBefore = r.emulator.requestLog.filter((e) => e.method === 'GET').length;
    const summary = await resumeRun(runId, r.opts({ concurrency: 4 }));

    expect(summary.status).toBe('succeeded');
    expect(managedState(r.emulator)).toEqual(expectedTeams(desired));
    expect(appliedWrites(r.emulator)).toBe(minimum);
    expect(writes(r.emulator).length).toBeLessThanOrEqual(minimum + 4);
    // The resumed run did not read the target again (a 409 lookup would be the only GET).
    expect(r.emulator.requestLog.filter((e) => e.method === 'GET').length - readsBefore).toBeLessThanOrEqual(4);
    await expect(resumeRun(runId, r.opts())).rejects.toBeInstanceOf(RunNotResumableError);
  });
});
