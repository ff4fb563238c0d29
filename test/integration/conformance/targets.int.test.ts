import { existsSync } from 'node:fs';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { runSync } from '../../../src/app/run-sync.js';
import { explainPerson } from '../../../src/app/explain-person.js';
import { expectAuditOfPlan } from '../../support/audit-check.js';
import type { Runtime } from '../../../src/app/runtime.js';
import type { Snapshot } from '../../../src/model/index.js';
import { TARGET_KINDS } from '../../../src/targets/registry.js';
import type {
  ConformanceAdapter,
  ConformanceEmulator,
  DayChange,
  EmulatorFaults,
  NormalState,
} from '../../support/conformance/adapter.js';
import { dayOne, dayTwo } from '../../support/conformance/scenario.js';
import { countWrites } from '../../support/conformance/write-log.js';
import { createAdapterHarness, runCli, writesOf, type TargetHarness } from '../../support/target-harness.js';

/**
 * Every target in src/targets/registry.ts, through the real queue on the test Redis, against its
 * emulator over HTTP: day one from empty, day two with churn, drift and hand edits, the same two
 * days with faults, a worker process killed mid-run and resumed, and a run after that writes
 * nothing. What differs per target is in its adapter, test/support/conformance/<kind>.ts.
 */
const redisUrl = inject('redisUrl');

/** The kind's adapter, or undefined when it has no file; an adapter that fails to load fails the suite. */
async function loadAdapter(kind: string): Promise<ConformanceAdapter | undefined> {
  if (!existsSync(new URL(`../../support/conformance/${kind}.ts`, import.meta.url))) return undefined;
  const mod = (await import(`../../support/conformance/${kind}.ts`)) as { adapter?: ConformanceAdapter };
  if (mod.adapter?.kind !== kind)
    throw new Error(`test/support/conformance/${kind}.ts: expected an export \`adapter\` of kind "${kind}"`);
  return mod.adapter;
}
const adapters = new Map(await Promise.all(TARGET_KINDS.map(async (k) => [k, await loadAdapter(k)] as const)));

const POLICY = { deprovision: 'delete-user' };
/**
 * The fault mix of scenario (c), seeded: 5% of applied writes answered 5xx (the retry must find the
 * change made: 409 or 404 is "already done", a PUT or PATCH carries absolute values), 1% 5xx not
 * applied, 1% resets; each costs a write sent again (~7% over the minimum; 10% allowed). And a 429
 * storm (see storm()).
 */
const FAULTS: EmulatorFaults = { errorRate: 0.01, appliedButErrorRate: 0.05, resetRate: 0.01, seed: 11 };

/**
 * A 429 storm in the middle of a run: once the run has sent 20 writes, the server admits 5 requests
 * a second for one second, whatever its headers said before (a client that follows them cannot
 * see it coming), then no limit. 429s are the server's pacing and are not counted as writes.
 */
function storm(e: ConformanceEmulator, mark: number): () => void {
  let off: NodeJS.Timeout | undefined;
  const watch = setInterval(() => {
    if (writesOf(e, mark).length < 20) return;
    clearInterval(watch);
    e.setOptions({ rateLimit: { max: 5, windowMs: 1000 } });
    off = setTimeout(() => e.setOptions({ rateLimit: false }), 1000);
  }, 2);
  return () => {
    clearInterval(watch);
    clearTimeout(off);
    e.setOptions({ rateLimit: false });
  };
}

/** Every answer takes a few milliseconds, as a real server's do. */
const LATENCY: EmulatorFaults = { latencyMs: [1, 12], seed: 11 };

/** Writes allowed over the adapter's minimum. */
const SLACK = { clean: 1.05, faults: 1.1 };

let h: TargetHarness<ConformanceEmulator> | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** The directory's state plus, emptied, what the sync manages but the directory no longer has (a deleted group's container, a renamed one's old container where the target cannot rename). */
function settle(a: ConformanceAdapter, want: NormalState, before: NormalState, change: DayChange): NormalState {
  const containers = { ...want.containers };
  for (const name of Object.keys(before.containers)) {
    if (name in containers || (a.renamesContainers && change.renamed?.[0] === name)) continue;
    containers[name] = [];
  }
  return {
    users: want.users,
    containers: Object.fromEntries(Object.entries(containers).sort(([x], [y]) => (x < y ? -1 : 1))),
  };
}

/** Writes of the log since `mark`: within slack x the minimum, none repeated after a 2xx, no "already done" answer a fault does not explain. */
function expectWrites(
  day: string,
  a: ConformanceAdapter,
  e: ConformanceEmulator,
  mark: number,
  minimum: number,
  slack: number,
): void {
  const w = countWrites(e.requestLog.slice(mark), a.writeKey);
  const what = `${day}: minimum ${minimum}, ${JSON.stringify(w)}`;
  expect(w.repeated, `${what}: writes sent again after a 2xx answer`).toEqual([]);
  expect(w.idempotentAnswers, `${what}: 409/404 answers beyond the applied-then-5xx retries`).toBeLessThanOrEqual(
    w.appliedThenError,
  );
  expect(w.applied, `${what}: applied writes (the minimum is a lower bound)`).toBeGreaterThanOrEqual(minimum);
  expect(w.sent, `${what}: writes sent`).toBeLessThanOrEqual(Math.ceil(minimum * slack));
}

async function sync(rt: Runtime) {
  const out = await runSync(rt, { mode: 'full', trigger: 'backfill' });
  expect(out.status, out.run.failures.map((f) => `${f.opKey}: ${f.reason}`).join('\n')).toBe('succeeded');
  // Faults or not, the audit holds each change once, and every one of a run that succeeded took.
  const audit = await expectAuditOfPlan(rt.store, out.runId, out.plan!);
  expect(audit.filter((e) => 'outcome' in e && e.outcome !== 'applied' && e.outcome !== 'already-done')).toEqual([]);
  return out;
}

/** Scenarios (a), (b) and (e), with or without faults. */
async function twoDays(a: ConformanceAdapter, seed: number, faults: boolean): Promise<void> {
  // Latency on every run: calls overlap (phases overlap by the queue's lookahead), so an op that
  // did not wait for its dependencies meets a target that has not applied them yet.
  h = await createAdapterHarness(redisUrl, a, { faults: faults ? { ...FAULTS, ...LATENCY } : LATENCY, policy: POLICY });
  const e = h.emulator;
  const slack = faults ? SLACK.faults : SLACK.clean;
  const rt = await h.runtime();
  rt.startWorkers();

  // (a) Day one, from an empty org.
  const base = dayOne(seed);
  h.writeDirectory(base);
  a.beforeRun?.(e, base);
  const empty = a.state(e);
  let mark = e.requestLog.length;
  let calm = faults ? storm(e, mark) : () => undefined;
  await sync(rt);
  calm();
  const day1 = settle(a, a.expected(base), empty, {});
  expect(a.state(e)).toEqual(day1);
  expectWrites('day one', a, e, mark, a.minimumWrites(empty, day1, {}), slack);

  // explain, on every target: someone day one created is found on both sides, with nothing left
  // to do, and the day's run in their history; it writes nothing.
  const someone = base.people.find((p) => p.enabled)!.email;
  mark = e.requestLog.length;
  const x = await explainPerson(rt, someone);
  expect(x.found).toEqual({ directory: true, target: true });
  expect(x.steps.plan.ops).toEqual([]);
  expect(x.steps.history.changes.map((c) => c.text).join('\n')).toContain(someone);
  expect(writesOf(e, mark)).toEqual([]);

  // (b) Day two: churn, a renamed, a deleted and a new group, and hand edits in the target.
  a.handEdits(e, day1);
  const d = dayTwo(base, seed + 1);
  h.writeDirectory(d.next);
  a.beforeRun?.(e, d.next);
  const before = a.state(e);
  expect(before).not.toEqual(day1);
  mark = e.requestLog.length;
  calm = faults ? storm(e, mark) : () => undefined;
  await sync(rt);
  calm();
  const day2 = settle(a, a.expected(d.next), before, d.change);
  const after = a.state(e);
  expect(after).toEqual(day2);
  expect(after.users[d.emailChange[0]]).toBeUndefined();
  expect(after.users[d.emailChange[1]]).toBeDefined();
  if (Object.keys(before.containers).length > 0) expect(after.containers[d.deleted]).toEqual([]);
  expectWrites('day two', a, e, mark, a.minimumWrites(before, day2, d.change), slack);

  // (e) A third run writes nothing.
  mark = e.requestLog.length;
  const third = await sync(rt);
  expect(third.plan!.phases.flat()).toEqual([]);
  expect(writesOf(e, mark)).toEqual([]);
  expect(a.state(e)).toEqual(day2);
}

/** Kills the backfill process once the emulator has taken `at` writes; resolves with how it ended. */
async function backfillKilledAt(h: TargetHarness<ConformanceEmulator>, at: number) {
  let watch: NodeJS.Timeout | undefined;
  let killed = false;
  const out = await runCli(['backfill', '--config', h.configPath], {
    onSpawn: (child) => {
      watch = setInterval(() => {
        if (!killed && writesOf(h.emulator).length >= at) {
          killed = true;
          child.kill('SIGKILL');
        }
      }, 5);
    },
  });
  clearInterval(watch);
  return out;
}

describe('conformance', () => {
  it('every registered target has an adapter (test/support/conformance/<kind>.ts exporting `adapter`)', () => {
    expect(TARGET_KINDS.filter((k) => !adapters.get(k))).toEqual([]);
  });
});

describe.each(TARGET_KINDS)('conformance of target %s', (kind) => {
  const a = adapters.get(kind);
  if (!a)
    throw new Error(
      `target "${kind}" is registered but has no conformance adapter: add test/support/conformance/${kind}.ts`,
    );

  it('(a) day one from empty, (b) day two with churn, drift and hand edits, (e) then a run that writes nothing', async () => {
    await twoDays(a, 31, false);
  });

  it('(c) the same two days with 5xx, applied-then-5xx, connection resets and a 429 storm', async () => {
    await twoDays(a, 31, true);
    const s = countWrites(h!.emulator.requestLog, () => undefined);
    expect(s.appliedThenError).toBeGreaterThan(0);
    const log = h!.emulator.requestLog;
    for (const fault of ['error', 'reset', 'rate-limited'] as const)
      expect(log.filter((r) => r.fault === fault).length, fault).toBeGreaterThan(0);
  });
});

// One process per target killed at once: each waits ~15 s for its lost jobs' locks to lapse, so the four wait together.
describe.concurrent('conformance: a worker process killed mid-run', () => {
  it.for(TARGET_KINDS)(
    '%s: (d) a backfill killed with SIGKILL mid-run, resumed, ends exact; (e) the next run writes nothing',
    async (kind, { expect, onTestFinished }) => {
      const a = adapters.get(kind);
      if (!a) throw new Error(`target "${kind}" has no conformance adapter`);
      const concurrency = 4;
      const hk = await createAdapterHarness(redisUrl, a, {
        faults: { latencyMs: [5, 15] },
        policy: POLICY,
        queue: { concurrency },
      });
      onTestFinished(() => hk.close());
      const e = hk.emulator;
      const base: Snapshot = dayOne(41);
      hk.writeDirectory(base);
      a.beforeRun?.(e, base);
      const empty = a.state(e);
      const want = settle(a, a.expected(base), empty, {});
      const minimum = a.minimumWrites(empty, want, {});

      const first = await backfillKilledAt(hk, Math.ceil(minimum * 0.4));
      expect(first.signal).toBe('SIGKILL');
      expect(writesOf(e).length).toBeLessThan(minimum);
      const resumed = await runCli(['backfill', '--config', hk.configPath, '--resume']);
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(resumed.stdout).toMatch(/SUCCEEDED/);
      const store = (await hk.runtime()).store;
      const [killedRun] = await store.listRuns(1);
      await expectAuditOfPlan(store, killedRun!.runId, (await store.plan(killedRun!.runId))!);

      expect(a.state(e)).toEqual(want);
      // Writes of the ops in flight at the kill (at most one op per worker) may be sent again on resume.
      const inFlight = concurrency * (a.writesPerOp ?? 1);
      const w = countWrites(e.requestLog, a.writeKey);
      const what = `minimum ${minimum}, ${JSON.stringify(w)}`;
      expect(w.repeated.length, what).toBeLessThanOrEqual(inFlight);
      expect(w.idempotentAnswers, what).toBeLessThanOrEqual(inFlight);
      expect(w.applied, what).toBeGreaterThanOrEqual(minimum);
      expect(w.sent, what).toBeLessThanOrEqual(Math.ceil(minimum * SLACK.clean) + inFlight);

      const mark = e.requestLog.length;
      const rt = await hk.runtime();
      rt.startWorkers();
      const again = await runSync(rt, { mode: 'full', trigger: 'backfill' });
      expect(again.status).toBe('succeeded');
      expect(again.plan!.phases.flat()).toEqual([]);
      expect(writesOf(e, mark)).toEqual([]);
    },
  );
});
