import { randomBytes } from 'node:crypto';
import type { Store } from '../store/store.js';
import { RunInProgressError } from './run-sync.js';

const LOCK_MS = 60_000;

/**
 * One run per profile across every process: the daemon's sync worker and a one-shot backfill or
 * apply take the same Redis lock (renewed while the work runs, released after).
 */
export async function withProfileLock<T>(store: Store, who: string, work: () => Promise<T>): Promise<T> {
  const owner = `${who}-${process.pid}-${randomBytes(4).toString('hex')}`;
  if (!(await store.acquireLock(owner, LOCK_MS))) throw new RunInProgressError('(held by another process)');
  const renew = setInterval(() => void store.renewLock(owner, LOCK_MS).catch(() => {}), LOCK_MS / 3);
  try {
    return await work();
  } finally {
    clearInterval(renew);
    await store.releaseLock(owner).catch(() => {});
  }
}
