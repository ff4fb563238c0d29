import { createPrng } from './prng.js';
import type { FaultOptions, RateLimitOption, RateWindow } from './types.js';

export type Admission = { ok: true } | { ok: false; retryAfterMs: number };

/** A rate limiter keyed by what the limit counts on (client IP, API key). */
export interface Limiter {
  take(key: string): Admission;
  window(key: string): RateWindow;
}

/**
 * Sliding window per client IP: a request is admitted when fewer than `max` requests were admitted
 * in the last `windowMs`. Rejected requests do not count, so a client that waits Retry-After gets in.
 * Stricter than a fixed window: a burst of 2 x max around a window boundary is refused.
 */
export class SlidingWindowLimiter implements Limiter {
  private readonly hits = new Map<string, { times: number[]; head: number }>();

  constructor(
    private readonly limit: RateLimitOption,
    private readonly now: () => number,
  ) {}

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

  /** Remaining now; the reset is when the oldest admitted request leaves the window. */
  window(ip: string): RateWindow {
    const log = this.hits.get(ip);
    const oldest = log && log.head < log.times.length ? log.times[log.head]! : this.now();
    return { limit: this.limit.max, remaining: this.remaining(ip), resetAtMs: oldest + this.limit.windowMs };
  }
}

/**
 * Fixed windows aligned to the epoch, per key: `max` requests in each `windowMs`, the count starting
 * again at every multiple of `windowMs`, which is what X-RateLimit-Reset announces. Rejected requests
 * do not count.
 */
export class FixedWindowLimiter implements Limiter {
  private readonly counts = new Map<string, { window: number; n: number }>();

  constructor(
    private readonly limit: RateLimitOption,
    private readonly now: () => number,
  ) {}

  private current(key: string): { window: number; n: number } {
    const w = Math.floor(this.now() / this.limit.windowMs);
    let c = this.counts.get(key);
    if (!c || c.window !== w) this.counts.set(key, (c = { window: w, n: 0 }));
    return c;
  }

  take(key: string): Admission {
    const c = this.current(key);
    if (c.n >= this.limit.max)
      return { ok: false, retryAfterMs: Math.max(1, (c.window + 1) * this.limit.windowMs - this.now()) };
    c.n++;
    return { ok: true };
  }

  window(key: string): RateWindow {
    const c = this.current(key);
    return {
      limit: this.limit.max,
      remaining: Math.max(0, this.limit.max - c.n),
      resetAtMs: (c.window + 1) * this.limit.windowMs,
    };
  }
}

const FAULT_STATUSES = [500, 502, 503] as const;

/**
 * Every random decision draws from a seeded PRNG, one stream per kind of decision, so the k-th applied write's fate
 * depends on the seed alone and not on how concurrent requests (or 429s) interleave with it.
 */
export class FaultDice {
  private streams!: Record<'reset' | 'error' | 'applied' | 'status' | 'latency', () => number>;

  constructor(private readonly options: () => FaultOptions) {
    this.reseed(options().seed);
  }

  reseed(seed: number): void {
    // Distinct odd offsets keep the streams apart for any seed.
    const stream = (n: number) => createPrng((seed + n * 0x9e3779b1) >>> 0);
    this.streams = { reset: stream(1), error: stream(2), applied: stream(3), status: stream(4), latency: stream(5) };
  }

  private hit(rate: number, rand: () => number): boolean {
    if (rate <= 0) return false;
    if (rate >= 1) return true;
    return rand() < rate;
  }

  private status(): number {
    return FAULT_STATUSES[Math.floor(this.streams.status() * FAULT_STATUSES.length)] ?? 500;
  }

  reset(): boolean {
    return this.hit(this.options().resetRate, this.streams.reset);
  }

  /** A 5xx answered without applying, or undefined. */
  error(): number | undefined {
    return this.hit(this.options().errorRate, this.streams.error) ? this.status() : undefined;
  }

  /** A 5xx answered after applying a write, or undefined. */
  appliedButError(): number | undefined {
    return this.hit(this.options().appliedButErrorRate, this.streams.applied) ? this.status() : undefined;
  }

  latencyMs(): number {
    const l = this.options().latencyMs;
    if (typeof l === 'number') return l;
    const [min, max] = l;
    return max <= min ? min : min + Math.round(this.streams.latency() * (max - min));
  }
}
