import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { SourceCredentialsError } from '../errors/index.js';
import type { Logger } from '../log/logger.js';
import { withProfileLock } from '../app/profile-lock.js';
import { claimDecision, decideRun, NotPendingError, releaseUndecided } from '../app/approvals.js';
import { resumeSync, RunInProgressError, runSync, type SyncOutcome } from '../app/run-sync.js';
import type { Runtime } from '../app/runtime.js';
import type { Metrics, SyncJobResult } from './metrics.js';
import type { RefusedSources } from './refused-sources.js';
import { SYNC_QUEUE, type SyncJobData } from './scheduler.js';

/** What this process is doing for a profile right now, for the status page. */
export interface LocalProgress {
  phase: 'reading' | 'applying';
  runId?: string;
  done: number;
  total: number;
  startedAt: string;
}

export interface SyncWorkerDeps {
  connection: Redis;
  queuePrefix: string;
  runtimeFor: (profile: string) => Promise<Runtime>;
  metrics: Metrics;
  log: Logger;
  progress: Map<string, LocalProgress>;
  /** Aborted on shutdown: a run stops waiting, keeps its state in Redis, and is resumed on the next start. */
  signal: AbortSignal;
  /** Told when a sync's source refuses the credentials, and when a sync's source read succeeds. */
  refusedSources?: RefusedSources;
}

/**
 * Takes sync jobs. One run per profile at a time across every replica (a Redis lock, SET NX PX,
 * renewed while the run lasts); an overlapping job is refused and logged. An unfinished run (a crash
 * or a shutdown) is continued before the job's own sync.
 */
export function startSyncWorker(deps: SyncWorkerDeps): Worker<SyncJobData> {
  const worker = new Worker<SyncJobData>(SYNC_QUEUE, (job) => processSync(deps, job), {
    connection: deps.connection,
    prefix: deps.queuePrefix,
    concurrency: 4,
    lockDuration: 60_000,
  });
  // A Redis outage repeats the same error every couple of seconds: log it once per 30 s.
  let last = { message: '', at: 0, suppressed: 0 };
  worker.on('error', (err) => {
    const now = Date.now();
    if (err.message === last.message && now - last.at < 30_000) return void (last.suppressed += 1);
    deps.log.error(
      { err: err.message, repeated: last.message === err.message ? last.suppressed : 0 },
      'sync worker error',
    );
    last = { message: err.message, at: now, suppressed: 0 };
  });
  return worker;
}

async function processSync(deps: SyncWorkerDeps, job: Job<SyncJobData>): Promise<SyncJobResult> {
  const { profile, mode, tick } = job.data;
  const log = deps.log.child({ profile, job: job.id });
  const rt = await deps.runtimeFor(profile);
  try {
    return await withProfileLock(rt.store, `sync-${job.id}`, async (lockSignal) => {
      const signal = AbortSignal.any([deps.signal, lockSignal]);
      const unfinished = await rt.store.unfinishedRun();
      let result: SyncJobResult | undefined;
      if (unfinished) {
        log.info(
          { runId: unfinished.runId, done: unfinished.done, total: unfinished.totalOps },
          'continuing an unfinished run first',
        );
        result = await track(deps, profile, unfinished.runId, signal, (hooks) =>
          resumeSync(rt, hooks, unfinished.runId),
        );
      }
      if (tick === 'resume') return result ?? finishNoRun(deps, profile);
      if (result === 'interrupted') return result;
      if (job.data.decision) return await decide(deps, rt, job.data.decision, signal);
      const status = await track(deps, profile, undefined, signal, (hooks) =>
        runSync(rt, { mode, trigger: tick === 'manual' ? 'manual' : 'schedule', ...hooks }),
      );
      // Any outcome of a sync (even blocked or waiting) means its source was read.
      if (status !== 'failed' && status !== 'interrupted') deps.refusedSources?.accepted(profile);
      return status;
    });
  } catch (err) {
    if (!(err instanceof RunInProgressError)) throw err;
    log.warn({ tick, mode }, 'sync refused: a run of this profile is still in progress');
    deps.metrics.syncFinished(profile, 'refused-overlap');
    return 'refused-overlap';
  } finally {
    deps.progress.delete(profile);
    // A decision not carried out (refused for an overlap, interrupted, failed before deciding)
    // gives its claim back, so the run can be decided again.
    const d = job.data.decision;
    if (d?.claim) await releaseUndecided(rt, d.runId, d.claim);
  }
}

/** A decision from the status page: the same decideRun as `rostersync approve` / `reject`. */
async function decide(
  deps: SyncWorkerDeps,
  rt: Runtime,
  d: NonNullable<SyncJobData['decision']>,
  signal: AbortSignal,
): Promise<SyncJobResult> {
  const profile = rt.profile.name;
  // track() turns any error into a failed sync: a decision on a run that no longer waits (or that
  // another decision claimed first) is not one.
  let claim: string;
  try {
    claim = await claimDecision(rt, d.runId, d);
  } catch (err) {
    if (!(err instanceof NotPendingError)) throw err;
    deps.log.warn(
      { profile, runId: d.runId, action: d.action, why: err.message },
      'decision not taken: the run is not waiting for one (decided, expired or unknown)',
    );
    deps.metrics.syncFinished(profile, 'not-pending');
    return 'not-pending';
  }
  let rejected = false;
  const status = await track(deps, profile, d.action === 'approve' ? d.runId : undefined, signal, async (hooks) => {
    const r = await decideRun(rt, d.runId, { ...d, claim }, hooks);
    if (r.result === 'applied') return r.outcome;
    if (r.result === 'stale') return r.fresh;
    rejected = true;
    return { runId: d.runId, status: 'blocked', exitCode: 2, run: r.run };
  });
  return rejected ? 'rejected' : status;
}

function finishNoRun(deps: SyncWorkerDeps, profile: string): SyncJobResult {
  deps.metrics.syncFinished(profile, 'nothing-to-resume');
  return 'nothing-to-resume';
}

/** Runs one sync with progress for the status page and metrics at its end. */
async function track(
  deps: SyncWorkerDeps,
  profile: string,
  runId: string | undefined,
  signal: AbortSignal,
  sync: (hooks: { onProgress: (done: number, total: number) => void; signal: AbortSignal }) => Promise<SyncOutcome>,
): Promise<SyncJobResult> {
  const started = Date.now();
  const progress: LocalProgress = {
    phase: runId ? 'applying' : 'reading',
    done: 0,
    total: 0,
    startedAt: new Date(started).toISOString(),
    ...(runId ? { runId } : {}),
  };
  deps.progress.set(profile, progress);
  const onProgress = (done: number, total: number) => Object.assign(progress, { phase: 'applying', done, total });
  try {
    const outcome = await sync({ onProgress, signal });
    const source = outcome.run.source;
    deps.metrics.syncFinished(profile, outcome.status, {
      durationMs: Date.now() - started,
      mode: outcome.run.mode,
      ...(source ? { source } : {}),
    });
    return outcome.status;
  } catch (err) {
    if (signal.aborted && !deps.signal.aborted) {
      deps.log.error({ profile, err: (signal.reason as Error).message }, 'sync stopped: its run lock was lost');
      deps.metrics.syncFinished(profile, 'interrupted');
      return 'interrupted';
    }
    if (deps.signal.aborted) {
      deps.log.info({ profile }, 'sync interrupted by shutdown: it continues on the next start');
      deps.metrics.syncFinished(profile, 'interrupted');
      return 'interrupted';
    }
    // runSync has recorded the failed run (a source, target or Redis error); the next tick tries again.
    if (err instanceof SourceCredentialsError) deps.refusedSources?.refused(profile, err);
    deps.log.error({ profile, err: (err as Error).message }, 'sync failed');
    deps.metrics.syncFinished(profile, 'failed', { durationMs: Date.now() - started, mode: 'unknown' });
    return 'failed';
  }
}
