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
  /** At most this many ops of the run wait in the queue at once. @defaultValue 5000 */
  window?: number;
  signal?: AbortSignal;
}

/** Ops added to the queue per call (one Redis round trip each). */
const CHUNK = 500;
/** Ops of one run waiting in the queue at once, unless `queue.window` says otherwise. */
export const DEFAULT_WINDOW = 5000;

/**
 * Drains the plan phase by phase: a phase's ops are enqueued (skipping any with an outcome, so a
 * resumed run repeats no completed call) and the next phase starts when every op of this one has
 * an outcome. At most `window` ops of the run wait in the queue at once: the plan is fed to the queue
 * as outcomes arrive, so Redis holds a bounded number of jobs however big the plan, and another
 * profile's ops queue behind at most one window of a big backfill. Workers may run in this process or
 * any other on the same Redis.
 */
export async function applyPlan(deps: ApplyDeps, runId: string, profile: string, plan: Plan): Promise<void> {
  const total = plan.phases.reduce((n, p) => n + p.length, 0);
  const lookahead = deps.lookahead ?? 0;
  let before = 0;
  for (const [index, ops] of plan.phases.entries()) {
    if (ops.length > 0) {
      const feed = new PhaseFeed(deps, runId, profile, plan, index + 1, ops);
      await waitForPhase(deps, feed, before, total, ops.length - lookahead);
    }
    before += ops.length;
  }
  before = 0;
  for (const [index, ops] of plan.phases.entries()) {
    if (ops.length > 0) {
      const feed = new PhaseFeed(deps, runId, profile, plan, index + 1, ops, ops.length);
      await waitForPhase(deps, feed, before, total, ops.length);
    }
    before += ops.length;
  }
  deps.onProgress?.(total, total);
}

/** One phase's ops, enqueued in order, never more than the window ahead of their outcomes. */
class PhaseFeed {
  constructor(
    private readonly deps: ApplyDeps,
    readonly runId: string,
    private readonly profile: string,
    private readonly plan: Plan,
    readonly phase: number,
    readonly ops: Plan['phases'][number],
    /** Ops before this index have been enqueued or had an outcome. */
    private next = 0,
  ) {}

  /** Every op of the phase has been enqueued (or had an outcome). */
  get fed(): boolean {
    return this.next >= this.ops.length;
  }

  /** Adds ops until `window` of the phase are queued without an outcome (or none is left). */
  async top(done: number): Promise<void> {
    const window = this.deps.window ?? DEFAULT_WINDOW;
    while (this.next < this.ops.length && this.next - done < window) {
      const chunk = this.ops.slice(this.next, this.next + Math.min(CHUNK, window - (this.next - done)));
      await this.enqueue(chunk, false);
      this.next += chunk.length;
    }
  }

  /** Enqueues again the fed ops that have neither an outcome nor a job (lost with a crashed worker). */
  async again(): Promise<number> {
    let n = 0;
    for (let i = 0; i < this.next; i += CHUNK) n += await this.enqueue(this.ops.slice(i, i + CHUNK), true);
    return n;
  }

  private async enqueue(chunk: Plan['phases'][number], onlyWithoutJob: boolean): Promise<number> {
    const { deps, runId, profile, plan } = this;
    // Per chunk, not the run's whole outcome set: memory stays bounded on a resumed 500,000-op run.
    const outcomes = await deps.store.outcomes(
      runId,
      chunk.map((op) => op.key),
    );
    let pending = chunk.filter((_, i) => outcomes[i] === undefined);
    if (onlyWithoutJob) {
      const exists = await Promise.all(
        pending.map((op) => deps.queue.getJob(opJobId(profile, plan.id, op)).then((j) => j !== undefined)),
      );
      pending = pending.filter((_, i) => !exists[i]);
    }
    if (pending.length === 0) return 0;
    const options = opJobOptions(deps.retry);
    await deps.queue.addBulk(
      pending.map((op) => ({
        name: op.kind,
        data: { runId, profile, op },
        opts: { ...options, jobId: opJobId(profile, plan.id, op) },
      })),
    );
    return pending.length;
  }
}

async function waitForPhase(
  deps: ApplyDeps,
  feed: PhaseFeed,
  before: number,
  total: number,
  enough: number,
): Promise<void> {
  const pollMs = deps.pollMs ?? 20;
  const stallMs = deps.stallMs ?? 15_000;
  const { runId, phase, ops } = feed;
  let last = -1;
  let lastChange = Date.now();
  for (;;) {
    if (deps.signal?.aborted) throw deps.signal.reason ?? new Error('aborted');
    const done = await deps.store.phaseDone(runId, phase);
    deps.onProgress?.(before + Math.min(done, ops.length), total);
    await feed.top(done);
    // Fed whole first: with a lookahead above the window, `enough` could come before the last ops were queued.
    if (done >= enough && feed.fed) return;
    if (done !== last) {
      last = done;
      lastChange = Date.now();
    } else if (Date.now() - lastChange > stallMs) {
      // A job lost with a crashed worker (failed as stalled) leaves its op without outcome: enqueue it again.
      const again = await feed.again();
      if (again > 0) deps.log.warn({ runId, phase, again }, 'ops without job or outcome enqueued again');
      lastChange = Date.now();
    }
    await sleep(pollMs);
  }
}
