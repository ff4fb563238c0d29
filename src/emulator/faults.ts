import { createPrng } from './prng.js';
import type { FaultOptions, RateLimitOption } from './types.js';

export type Admission = { ok: true } | { ok: false; retryAfterMs: number };

/**
 * Sliding window per client IP: a request is admitted when fewer than `max` requests were admitted
 * in the last `windowMs`. Rejected requests do not count, so a client that waits Retry-After gets in.
 * Stricter than a fixed window: a burst of 2 x max around a window boundary is refused.
 */
export class SlidingWindowLimiter {
  private readonly hits = new Map<string, { times: number[]; head: number }>();

  constructor(private readonly limit: RateLimitOption, private readonly now: () => number) {}

  take(ip: string): Admission {
    const t = this.now();
    let log = this.hits.get(ip);
    if (!log) {
      log = { times: [], head: 0 };
      this.hits.set(ip, log);
    }
    while (log.head < log.times.length && log.times[log.head]! <= t - this.limit.windowMs) log.head++;
    if (log.head > 1024 && log.head * 2 > log.times.length) {
      log.times = log.times.slice(log.head);
      log.head = 0;
    }
    if (log.times.length - log.head >= this.limit.max) {
      return { ok: false, retryAfterMs: Math.max(1, log.times[log.head]! + this.limit.windowMs - t) };
    }
    log.times.push(t);
    return { ok: true };
  }

  /** Requests left in the current window for this IP (for headers and tests). */
  remaining(ip: string): number {
    const log = this.hits.get(ip);
    if (!log) return this.limit.max;
    const t = this.now();
    let live = 0;
    for (let i = log.head; i < log.times.length; i++) if (log.times[i]! > t - this.limit.windowMs) live++;
    return Math.max(0, this.limit.max - live);
  }
}

const FAULT_STATUSES = [500, 502, 503] as const;

/** Every random decision draws from one seeded PRNG, so a seed replays the same faults for the same request sequence. */
export class FaultDice {
  private rand: () => number;

  constructor(private readonly options: () => FaultOptions) {
    this.rand = createPrng(options().seed);
  }

  reseed(seed: number): void {
    this.rand = createPrng(seed);
  }

  private hit(rate: number): boolean {
    if (rate <= 0) return false;
    if (rate >= 1) return true;
    return this.rand() < rate;
  }

  private status(): number {
    return FAULT_STATUSES[Math.floor(this.rand() * FAULT_STATUSES.length)] ?? 500;
  }

  reset(): boolean {
    return this.hit(this.options().resetRate);
  }

  /** A 5xx answered without applying, or undefined. */
  error(): number | undefined {
    return this.hit(this.options().errorRate) ? this.status() : undefined;
  }

  /** A 5xx answered after applying a write, or undefined. */
  appliedButError(): number | undefined {
    return this.hit(this.options().appliedButErrorRate) ? this.status() : undefined;
  }

  latencyMs(): number {
    const l = this.options().latencyMs;
    if (typeof l === 'number') return l;
    const [min, max] = l;
    return max <= min ? min : min + Math.round(this.rand() * (max - min));
  }
}
