import type { JobsOptions } from 'bullmq';
import type { Op } from '../model/index.js';

export const OPS_QUEUE = 'ops';

export interface OpJobData {
  runId: string;
  profile: string;
  op: Op;
}

/**
 * `<profile>.<planId>.<opKey>`: adding the same op of the same plan twice is a no-op. The profile
 * keeps two profiles apart whose plans are the same (one directory into two empty orgs plans the
 * same ops): without it the second profile's jobs would be taken for the first's. BullMQ 6 rejects ':'
 * in custom ids; the planner's keys hold none, but a hand-edited plan file might, so ':' (and '%',
 * to keep the mapping one-to-one) are escaped. The '.' means an id is never all digits.
 */
export function opJobId(profile: string, planId: string, op: Pick<Op, 'key'>): string {
  return `${profile}.${planId}.${op.key}`.replace(/[%:]/g, (c) => (c === '%' ? '%25' : '%3A'));
}

export interface RetryPolicy {
  /** Attempts for 5xx, timeouts and resets (429s do not spend one). */
  attempts: number;
  /** First backoff; doubles each attempt, with jitter. */
  backoffMs: number;
}

/** Outcomes live in the store, so finished jobs need not stay in Redis. */
export function opJobOptions(retry: RetryPolicy): JobsOptions {
  return {
    attempts: retry.attempts,
    backoff: { type: 'exponential', delay: retry.backoffMs, jitter: 0.5 },
    removeOnComplete: true,
    removeOnFail: true,
  };
}
