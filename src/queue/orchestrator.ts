import { Queue, type Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '../log/logger.js';
import type { Plan } from '../model/index.js';
import { queuePrefix } from '../store/keys.js';
import { summarisePlan, type RunRecord, type RunView } from '../store/run-record.js';
import { Store } from '../store/store.js';
import type { Target } from '../targets/target.js';
import { applyPlan } from './apply-plan.js';
import { OPS_QUEUE, type OpJobData, type RetryPolicy } from './op-jobs.js';
import { startOpWorker } from './op-worker.js';
import { RunNotResumableError } from './queue-errors.js';
import type { RateBudget } from './rate-budget.js';

export interface ApplyRunOptions {
  runId: string;
  /** Called with every HTTP request's budget already wired into it (see RateBudget). */
  target: Target;
  store: Store;
  budget: RateBudget;
  /** The queue's connection; each worker gets its own duplicate with `maxRetriesPerRequest: null`. */
  redis: Redis;
  log: Logger;
  /** Ops in flight per worker. @defaultValue 16 */
  concurrency?: number;
  /** In-process Worker instances. 0 leaves the work to workers in other processes. @defaultValue 1 */
  workers?: number;
  /** @defaultValue {attempts: 8, backoffMs: 1000} (config `queue`) */
  retry?: RetryPolicy;
  onProgress?: (done: number, total: number) => void;
  /** Stops waiting (the run stays `running` in Redis and can be resumed). */
  signal?: AbortSignal;
  /** How long closing waits for in-flight jobs before handing them back (0: at once). @defaultValue 10000 */
  closeTimeoutMs?: number;
}

export interface RunSummary {
  runId: string;
  planId: string;
  status: 'succeeded' | 'partial';
  ops: number;
  /** `${kind}.${outcome}` -> count, plus `done`. */
  counts: Record<string, number>;
  failures: { opKey: string; reason: string }[];
  durationMs: number;
}

/**
 * Applies a plan as one run: records it (with the plan, for resume) unless it exists, runs
 * in-process workers until every phase has drained, then marks the run finished. A run whose
 * process dies stays `running`; resumeRun continues it.
 */
export async function applyRun(plan: Plan, o: ApplyRunOptions): Promise<RunSummary> {
  const { store, log, runId } = o;
  if (!(await store.getRun(runId))) {
    const record: RunRecord = { runId, profile: store.profile, trigger: 'apply', mode: 'plan', status: 'running', startedAt: new Date().toISOString(), ...summarisePlan(plan) };
    await store.startRun(record, plan);
  }
  const t0 = performance.now();
  const queue = new Queue<OpJobData>(OPS_QUEUE, { connection: o.redis, prefix: queuePrefix(store.prefix) });
  queue.on('error', (err) => log.debug({ err: err.message }, 'op queue connection error'));
  const connections: Redis[] = [];
  const workers: Worker<OpJobData>[] = [];
  // The queue is shared by the deployment's profiles: a job of another profile is recorded in its own store.
  const stores = new Map([[store.profile, store]]);
  const storeFor = (p: string) => stores.get(p) ?? stores.set(p, new Store(store.redis, store.prefix, p)).get(p)!;
  for (let i = 0; i < (o.workers ?? 1); i++) {
    const connection = o.redis.duplicate({ maxRetriesPerRequest: null });
    connections.push(connection);
    workers.push(startOpWorker({
      connection, queuePrefix: queuePrefix(store.prefix), queue, targetFor: () => o.target, storeFor, log, concurrency: o.concurrency ?? 16, budget: o.budget,
    }));
  }
  const retry = o.retry ?? { attempts: 8, backoffMs: 1000 };
  try {
    await applyPlan({
      queue, store, log, retry, lookahead: o.concurrency ?? 16,
      ...(o.onProgress ? { onProgress: o.onProgress } : {}), ...(o.signal ? { signal: o.signal } : {}),
    }, runId, store.profile, plan);
  } finally {
    await closeAll(workers, queue, connections, o.closeTimeoutMs ?? 10_000);
  }
  return finish(store, log, runId, plan, performance.now() - t0);
}

/** Continues an unfinished run from the plan stored with it: no target read, no completed op repeated. */
export async function resumeRun(runId: string, o: Omit<ApplyRunOptions, 'runId'>): Promise<RunSummary> {
  const run = await o.store.getRun(runId);
  if (!run) throw new RunNotResumableError(`run ${runId} is not in the store`);
  if (run.status !== 'running') throw new RunNotResumableError(`run ${runId} has already finished (${run.status})`);
  const plan = await o.store.plan(runId);
  if (!plan) throw new RunNotResumableError(`run ${runId} has no stored plan`);
  o.log.info({ runId, done: run.done, total: run.totalOps }, 'resuming run');
  return applyRun(plan, { ...o, runId });
}

async function finish(store: Store, log: Logger, runId: string, plan: Plan, applyMs: number): Promise<RunSummary> {
  const view = (await store.getRun(runId)) as RunView;
  const failed = Object.entries(view.counts).filter(([k]) => k.endsWith('.failed') || k.endsWith('.skipped-dependency')).reduce((n, [, v]) => n + v, 0);
  const status = failed > 0 ? 'partial' : 'succeeded';
  // The cursor the run's read returned becomes the profile's only when everything applied.
  if (status === 'succeeded') await store.commitCursor(runId);
  await store.updateRun(runId, { status, finishedAt: new Date().toISOString(), timings: { ...(view.timings ?? {}), applyMs: Math.round(applyMs) } });
  const ops = plan.phases.flat().length;
  log.info({ runId, planId: plan.id, status, ops, counts: view.counts, failed }, 'run finished');
  return { runId, planId: plan.id, status, ops, counts: view.counts, failures: view.failures, durationMs: Math.round(applyMs) };
}

/**
 * close() waits for active jobs with no limit, and a later close(true) returns that same pending
 * close (BullMQ memoises it), so "race, then force" never forces. Past the grace period the worker's
 * connection is dropped instead: its jobs' locks lapse and another worker takes them up as stalled.
 * A grace of 0 forces at once (the jobs in flight are handed back the same way).
 */
async function closeAll(workers: Worker[], queue: Queue, connections: Redis[], graceMs: number): Promise<void> {
  const timer = (ms: number) => new Promise((r) => setTimeout(r, ms).unref());
  await Promise.all(workers.map((w) => (graceMs === 0 ? w.close(true) : Promise.race([w.close(), timer(graceMs)]))));
  await Promise.race([queue.close(), timer(5000)]);
  for (const c of connections) c.disconnect();
}
