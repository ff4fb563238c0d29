import { randomBytes } from 'node:crypto';
import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '../log/logger.js';
import { resumeSync, runSync, type SyncOutcome } from '../app/run-sync.js';
import type { Runtime } from '../app/runtime.js';
import type { Metrics } from './metrics.js';
import { SYNC_QUEUE, type SyncJobData } from './scheduler.js';

export interface SyncWorkerDeps {
  connection: Redis;
  queuePrefix: string;
  runtimeFor: (profile: string) => Promise<Runtime>;
  metrics: Metrics;
  log: Logger;
  /** Profiles' runs in progress, for the status page. */
  progress: Map<string, { runId?: string; done: number; total: number; startedAt: string }>;
  /** Aborted on shutdown: a run stops waiting, keeps its state in Redis, and is resumed on the next start. */
  signal: AbortSignal;
}

const LOCK_MS = 60_000;

/**
 * Takes sync jobs. One run per profile at a time across every replica (a Redis lock); an overlapping
 * tick is refused and logged. An unfinished run (a crash or a shutdown) is resumed before anything new.
 */
export function startSyncWorker(deps: SyncWorkerDeps): Worker<SyncJobData> {
  const worker = new Worker<SyncJobData>(SYNC_QUEUE, (job) => processSync(deps, job), {
    connection: deps.connection, prefix: deps.queuePrefix, concurrency: 4, lockDuration: 60_000,
  });
  worker.on('error', (err) => deps.log.error({ err }, 'sync worker error'));
  return worker;
}

async function processSync(deps: SyncWorkerDeps, job: Job<SyncJobData>): Promise<string> {
  const { profile, mode, tick } = job.data;
  const rt = await deps.runtimeFor(profile);
  const owner = `${job.id}-${randomBytes(4).toString('hex')}`;
  if (!(await rt.store.acquireLock(owner, LOCK_MS))) {
    deps.log.warn({ profile, tick }, 'sync refused: a run of this profile is still in progress');
    deps.metrics.runs.inc({ profile, status: 'refused-overlap' });
    return 'refused-overlap';
  }
  const renew = setInterval(() => void rt.store.renewLock(owner, LOCK_MS).catch(() => {}), LOCK_MS / 3);
  const started = Date.now();
  deps.progress.set(profile, { done: 0, total: 0, startedAt: new Date(started).toISOString() });
  const onProgress = (done: number, total: number) => {
    const p = deps.progress.get(profile);
    if (p) Object.assign(p, { done, total });
  };
  try {
    const unfinished = await rt.store.unfinishedRun();
    let outcome: SyncOutcome;
    if (unfinished) {
      deps.log.info({ profile, runId: unfinished.runId }, 'resuming an unfinished run before this tick');
      deps.progress.get(profile)!.runId = unfinished.runId;
      outcome = await resumeSync(rt, { onProgress, signal: deps.signal });
    } else {
      outcome = await runSync(rt, { mode, trigger: tick === 'manual' ? 'manual' : 'schedule', onProgress, signal: deps.signal });
    }
    deps.metrics.runs.inc({ profile, status: outcome.status });
    deps.metrics.runDuration.observe({ profile }, (Date.now() - started) / 1000);
    if (outcome.run.source) {
      deps.metrics.sourceDuration.observe({ profile, mode: outcome.run.mode }, outcome.run.source.readMs / 1000);
      deps.metrics.sourcePeople.set({ profile }, outcome.run.source.people);
    }
    if (outcome.status === 'succeeded') deps.metrics.lastSuccess.set({ profile }, Date.now() / 1000);
    return outcome.status;
  } catch (err) {
    if (deps.signal.aborted) {
      deps.log.info({ profile }, 'sync interrupted by shutdown: it resumes on the next start');
      return 'interrupted';
    }
    deps.metrics.runs.inc({ profile, status: 'failed' });
    deps.log.error({ profile, err: (err as Error).message }, 'sync failed');
    return 'failed';
  } finally {
    clearInterval(renew);
    deps.progress.delete(profile);
    await rt.store.releaseLock(owner).catch(() => {});
  }
}
