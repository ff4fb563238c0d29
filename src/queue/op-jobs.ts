import type { JobsOptions } from 'bullmq';
import type { Op } from '../model/index.js';

export const OPS_QUEUE = 'ops';

export interface OpJobData {
  runId: string;
  profile: string;
  op: Op;
}

/** `<planId>.<opKey>`: adding the same op of the same plan twice is a no-op. Op keys hold no ':'. */
export function opJobId(planId: string, op: Op): string {
  return `${planId}.${op.key}`;
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
