import { setTimeout as sleep } from 'node:timers/promises';
import type { Queue } from 'bullmq';
import type { Logger } from '../log/logger.js';
import type { Plan } from '../model/index.js';
import type { Store } from '../store/store.js';
import { opJobId, opJobOptions, type OpJobData, type RetryPolicy } from './op-jobs.js';

export interface ApplyDeps {
  queue: Queue<OpJobData>;
  store: Store;
  log: Logger;
  retry: RetryPolicy;
  /** Called while waiting: ops with an outcome so far, of the plan's total. */
  onProgress?: (done: number, total: number) => void;
  /** How often to look at progress. @defaultValue 20 */
  pollMs?: number;
  /**
   * The next phase is enqueued once this many ops of the current one remain (they are in flight),
   * so the budget is not left idle between phases; ops wait for their own dependencies.
   * @defaultValue 0
   */
  lookahead?: number;
  /** With no progress for this long, ops whose jobs vanished are enqueued again. @defaultValue 15000 */
  stallMs?: number;
  signal?: AbortSignal;
}

/**
 * Drains the plan phase by phase: a phase's ops are enqueued (skipping any with an outcome, so a
 * resumed run repeats no completed call) and the next phase starts when every op of this one has
 * an outcome. Workers may run in this process or any other on the same Redis.
 */
export async function applyPlan(deps: ApplyDeps, runId: string, profile: string, plan: Plan): Promise<void> {
  const total = plan.phases.reduce((n, p) => n + p.length, 0);
  const lookahead = deps.lookahead ?? 0;
  let before = 0;
  for (const [index, ops] of plan.phases.entries()) {
    if (ops.length > 0) {
      await enqueueMissing(deps, runId, profile, plan, ops);
      await waitForPhase(deps, runId, profile, plan, index + 1, ops, before, total, ops.length - lookahead);
    }
    before += ops.length;
  }
  before = 0;
  for (const [index, ops] of plan.phases.entries()) {
    if (ops.length > 0) await waitForPhase(deps, runId, profile, plan, index + 1, ops, before, total, ops.length);
    before += ops.length;
  }
  deps.onProgress?.(total, total);
}

async function enqueueMissing(
  deps: ApplyDeps,
  runId: string,
  profile: string,
  plan: Plan,
  ops: Plan['phases'][number],
  onlyWithoutJob = false,
): Promise<number> {
  const done = await deps.store.doneKeys(runId);
  let pending = ops.filter((op) => !done.has(op.key));
  if (onlyWithoutJob) {
    const exists = await Promise.all(
      pending.map((op) => deps.queue.getJob(opJobId(profile, plan.id, op)).then((j) => j !== undefined)),
    );
    pending = pending.filter((_, i) => !exists[i]);
  }
  const options = opJobOptions(deps.retry);
  for (let i = 0; i < pending.length; i += 500) {
    await deps.queue.addBulk(
      pending.slice(i, i + 500).map((op) => ({
        name: op.kind,
        data: { runId, profile, op },
        opts: { ...options, jobId: opJobId(profile, plan.id, op) },
      })),
    );
  }
  return pending.length;
}

async function waitForPhase(
  deps: ApplyDeps,
  runId: string,
  profile: string,
  plan: Plan,
  phase: number,
  ops: Plan['phases'][number],
  before: number,
  total: number,
  enough: number,
): Promise<void> {
  const pollMs = deps.pollMs ?? 20;
  const stallMs = deps.stallMs ?? 15_000;
  let last = -1;
  let lastChange = Date.now();
  for (;;) {
    if (deps.signal?.aborted) throw deps.signal.reason ?? new Error('aborted');
    const done = await deps.store.phaseDone(runId, phase);
    deps.onProgress?.(before + Math.min(done, ops.length), total);
    if (done >= enough) return;
    if (done !== last) {
      last = done;
      lastChange = Date.now();
    } else if (Date.now() - lastChange > stallMs) {
      // A job lost with a crashed worker (failed as stalled) leaves its op without outcome: enqueue it again.
      const again = await enqueueMissing(deps, runId, profile, plan, ops, true);
      if (again > 0) deps.log.warn({ runId, phase, again }, 'ops without job or outcome enqueued again');
      lastChange = Date.now();
    }
    await sleep(pollMs);
  }
}
