import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { RostersyncError } from '../errors/index.js';
import type { Store } from '../store/store.js';
import { RunInProgressError } from './run-sync.js';

/** Short, and renewed every third of it: a crashed holder blocks the profile for at most this long. */
export const PROFILE_LOCK_MS = 20_000;

/** The run's lock could not be renewed (lost to expiry, another holder, or Redis): the run stops. */
export class LockLostError extends RostersyncError {
  constructor(reason: string) {
    super(
      'LOCK_LOST',
      `the profile's run lock was lost (${reason}): stopping, so two processes never run one profile; the run continues with --resume or on the next tick`,
    );
  }
}

/**
 * The profile is locked by a live process right now (not a crashed run: that one is resumed).
 * A RunInProgressError (exit 75) whose message names the holder instead of suggesting --resume.
 */
export class ProfileBusyError extends RunInProgressError {
  constructor(
    readonly profile: string,
    readonly holder: string | undefined,
    holderGone = false,
  ) {
    super('(locked)');
    this.message = holderGone
      ? `profile ${profile} is still locked by a process that is gone (${holder}); its lock lapses within ${PROFILE_LOCK_MS / 1000} s: continue its run with --resume, which waits for that`
      : `profile ${profile} is held by another process right now (${holder ?? 'its lock expired a moment ago'}); nothing was changed: try again when it has finished`;
  }
}

/** True when the holder ran on this host under a pid that no longer exists (killed, crashed). */
export function holderGone(holder: string | undefined): boolean {
  const m = holder ? / on (\S+), pid (\d+),/.exec(holder) : null;
  if (!m || m[1] !== hostname()) return false;
  try {
    process.kill(Number(m[2]), 0);
    return false;
  } catch (err) {
    // EPERM: the pid exists under another user.
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** The lock's value: unique per acquisition, and readable by whoever finds the profile busy. */
export function lockOwner(who: string): string {
  return `${who} on ${hostname()}, pid ${process.pid}, since ${new Date().toISOString()} #${randomBytes(4).toString('hex')}`;
}

/** The holder as an operator reads it: the value without its unique suffix. */
export async function lockHolder(store: Store): Promise<string | undefined> {
  const value = await store.redis.get(store.keys.lock);
  return value === null ? undefined : value.replace(/ #[0-9a-f]+$/, '');
}

/**
 * One run per profile across every process: the daemon's sync worker and a one-shot backfill or
 * apply take this same Redis lock, renewed while the work runs and released after. When a renewal
 * fails or finds the lock gone, the work's signal aborts: a run never goes on without its lock.
 */
export async function withProfileLock<T>(
  store: Store,
  who: string,
  work: (signal: AbortSignal) => Promise<T>,
  opts: { waitMs?: number } = {},
): Promise<T> {
  const owner = lockOwner(who);
  // A resume after a crash waits out the dead process's lock instead of failing.
  const deadline = Date.now() + (opts.waitMs ?? 0);
  while (!(await store.acquireLock(owner, PROFILE_LOCK_MS))) {
    if (Date.now() >= deadline) {
      const holder = await lockHolder(store);
      throw new ProfileBusyError(store.profile, holder, holderGone(holder));
    }
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
