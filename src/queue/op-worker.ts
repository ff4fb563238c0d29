import { DelayedError, Worker, type Job, type Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { TargetHttpError, TargetNetworkError } from '../errors/index.js';
import type { Logger } from '../log/logger.js';
import type { Op } from '../model/index.js';
import type { Store } from '../store/store.js';
import type { IdResolver, Target } from '../targets/target.js';
import { OPS_QUEUE, type OpJobData } from './op-jobs.js';

export interface OpWorkerDeps {
  connection: Redis;
  queuePrefix: string;
  queue: Queue<OpJobData>;
  target: Target;
  storeFor: (profile: string) => Store;
  log: Logger;
  concurrency: number;
  /** Told of each recorded outcome (metrics, progress). */
  onOutcome?: (op: Op, outcome: string) => void;
}

/** Runs ops: one job = one API call. Dependencies first, then the call, then its outcome in the store. */
export function startOpWorker(deps: OpWorkerDeps): Worker<OpJobData> {
  const worker = new Worker<OpJobData>(OPS_QUEUE, (job, token) => processOp(deps, job, token), {
    connection: deps.connection,
    prefix: deps.queuePrefix,
    concurrency: deps.concurrency,
    // A limiter must exist for queue.rateLimit() (a 429) to pause every worker, not just one.
    limiter: { max: 100_000, duration: 1000 },
    maxStalledCount: 5,
    // A crashed process's in-flight jobs return to the queue within ~20 s rather than the default ~60 s.
    lockDuration: 15_000,
    stalledInterval: 5_000,
  });
  worker.on('error', (err) => deps.log.error({ err }, 'op worker error'));
  return worker;
}

async function processOp(deps: OpWorkerDeps, job: Job<OpJobData>, token: string | undefined): Promise<string> {
  const { runId, profile, op } = job.data;
  const store = deps.storeFor(profile);
  const log = deps.log.child({ runId, op: op.key });
  const record = async (outcome: 'applied' | 'already-done' | 'failed' | 'skipped-dependency', extra: { detail?: string; createdId?: string; userId?: string; teamId?: string } = {}) => {
    if (await store.recordOutcome(runId, { op, outcome, ...extra })) deps.onOutcome?.(op, outcome);
    log.debug({ kind: op.kind, outcome, detail: extra.detail }, 'op outcome');
    return outcome;
  };

  const deps_ = await store.outcomes(runId, op.dependsOn);
  if (deps_.some((o) => o === undefined)) {
    // The next phase starts while the last calls of this one are in flight: wait for them, briefly.
    await job.moveToDelayed(Date.now() + 50, token);
    throw new DelayedError();
  }
  const blocker = op.dependsOn.find((_, i) => deps_[i] !== 'applied' && deps_[i] !== 'already-done');
  if (blocker !== undefined) return record('skipped-dependency', { detail: `depends on ${blocker}, which did not succeed` });

  const ids: IdResolver = {
    teamId: async (name) => store.createdTeamId(runId, name),
    userId: async (sourceId) => (sourceId ? store.createdUserId(runId, sourceId) : undefined),
  };
  try {
    const out = await deps.target.apply(op, ids);
    const teamId = 'team' in op ? op.team.id ?? (await ids.teamId(op.team.name)) : undefined;
    const userId = 'user' in op ? op.user.id ?? out.createdId ?? (await ids.userId(op.user.sourceId, op.user.email)) : undefined;
    return await record(out.status, {
      ...(out.detail ? { detail: out.detail } : {}), ...(out.createdId ? { createdId: out.createdId } : {}),
      ...(teamId ? { teamId } : {}), ...(userId ? { userId } : {}),
    });
  } catch (err) {
    if (err instanceof TargetHttpError && err.status === 429) {
      // The client already paused the shared budget and the queue; this does not spend an attempt.
      throw Worker.RateLimitError();
    }
    const transient = err instanceof TargetNetworkError || (err instanceof TargetHttpError && err.transient);
    const last = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    if (transient && !last) {
      log.debug({ attempt: job.attemptsMade + 1, reason: (err as Error).message }, 'op will be retried');
      throw err;
    }
    await record('failed', { detail: (err as Error).message });
    return 'failed';
  }
}
