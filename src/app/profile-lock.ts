import { randomBytes } from 'node:crypto';
import { RostersyncError } from '../errors/index.js';
import type { Store } from '../store/store.js';
import { RunInProgressError } from './run-sync.js';

/** Short, and renewed every third of it: a crashed holder blocks the profile for at most this long. */
export const PROFILE_LOCK_MS = 20_000;

/** The run's lock could not be renewed (lost to expiry, another holder, or Redis): the run stops. */
export class LockLostError extends RostersyncError {
  constructor(reason: string) {
    super('LOCK_LOST', `the profile's run lock was lost (${reason}): stopping, so two processes never run one profile; the run continues with --resume or on the next tick`);
  }
}

/**
 * One run per profile across every process: the daemon's sync worker and a one-shot backfill or
 * apply take this same Redis lock, renewed while the work runs and released after. When a renewal
 * fails or finds the lock gone, the work's signal aborts: a run never goes on without its lock.
 */
export async function withProfileLock<T>(store: Store, who: string, work: (signal: AbortSignal) => Promise<T>, opts: { waitMs?: number } = {}): Promise<T> {
  const owner = `${who}-${process.pid}-${randomBytes(4).toString('hex')}`;
  // A resume after a crash waits out the dead process's lock instead of failing.
  const deadline = Date.now() + (opts.waitMs ?? 0);
  while (!(await store.acquireLock(owner, PROFILE_LOCK_MS))) {
    if (Date.now() >= deadline) throw new RunInProgressError('(held by another process)');
    await new Promise((r) => setTimeout(r, 500));
  }
  const lost = new AbortController();
  const renew = setInterval(() => {
    store.renewLock(owner, PROFILE_LOCK_MS).then(
      (held) => held || lost.abort(new LockLostError('another process holds it, or it expired')),
      (err: Error) => lost.abort(new LockLostError(err.message)),
    );
  }, PROFILE_LOCK_MS / 3);
  renew.unref();
  try {
    const result = await work(lost.signal);
    if (lost.signal.aborted) throw lost.signal.reason;
    return result;
  } catch (err) {
    throw lost.signal.aborted ? lost.signal.reason : err;
  } finally {
    clearInterval(renew);
    await store.releaseLock(owner).catch(() => {});
  }
}
