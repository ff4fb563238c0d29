import { randomBytes } from 'node:crypto';
import type { Store } from '../store/store.js';
import { RunInProgressError } from './run-sync.js';

/** Short, and renewed every third of it: a crashed holder blocks the profile for at most this long. */
const LOCK_MS = 20_000;

/**
 * One run per profile across every process: the daemon's sync worker and a one-shot backfill or
 * apply take the same Redis lock (renewed while the work runs, released after).
 */
export const PROFILE_LOCK_MS = LOCK_MS;

export async function withProfileLock<T>(store: Store, who: string, work: () => Promise<T>, opts: { waitMs?: number } = {}): Promise<T> {
  const owner = `${who}-${process.pid}-${randomBytes(4).toString('hex')}`;
  // A resume after a crash waits out the dead process's lock instead of failing.
  const deadline = Date.now() + (opts.waitMs ?? 0);
  while (!(await store.acquireLock(owner, LOCK_MS))) {
    if (Date.now() >= deadline) throw new RunInProgressError('(held by another process)');
    await new Promise((r) => setTimeout(r, 500));
  }
  const renew = setInterval(() => void store.renewLock(owner, LOCK_MS).catch(() => {}), LOCK_MS / 3);
  try {
    return await work();
  } finally {
    clearInterval(renew);
    await store.releaseLock(owner).catch(() => {});
  }
}
