import type { Logger } from '../log/logger.js';

/** A fixed delay, or a uniform draw in [min, max] per request. */
export type LatencyOption = number | readonly [number, number];

export interface RateLimitOption {
  /** Requests admitted per window per client IP. */
  max: number;
  /** Window length. */
  windowMs: number;
  /**
   * Fixed windows aligned to the epoch (every `windowMs` the count starts again, as an
   * X-RateLimit-Reset header describes) instead of a sliding window. @defaultValue false
   */
  fixed?: boolean;
}

/** Where a client stands in its rate window (for X-RateLimit-* headers). */
export interface RateWindow {
  limit: number;
  remaining: number;
  /** When a call is next admitted after the window is spent, epoch ms (the fixed window's end). */
  resetAtMs: number;
}

/** The knobs every emulator shares; each emulator's options extend these. */
export interface FaultOptions {
  /** Per client IP, sliding window. `false` turns it off. */
  rateLimit: RateLimitOption | false;
  /** @defaultValue 0 */
  latencyMs: LatencyOption;
  /** Share of requests answered 500/502/503 without being applied. @defaultValue 0 */
  errorRate: number;
  /** Share of write requests applied, then answered 500/502/503. @defaultValue 0 */
  appliedButErrorRate: number;
  /** Share of requests whose socket is destroyed without an answer (not applied). @defaultValue 0 */
  resetRate: number;
  /** Seed of the PRNG behind every random rate and latency draw. @defaultValue 1 */
  seed: number;
  /** Clock for timestamps and the rate-limit window (tests). @defaultValue Date.now */
  now: () => number;
  /** Request log entries kept (oldest dropped). @defaultValue 100000 */
  maxLogEntries: number;
  logger: Logger;
}

/**
 * The shared knobs as a caller passes them to an emulator: each optional, defaults as documented on
 * FaultOptions. `rateLimit` is left to each emulator, whose default differs (the API's own limit, or none).
 */
export type FaultInput = Partial<Omit<FaultOptions, 'rateLimit' | 'logger'>> & {
  /** @defaultValue a silent logger */
  logger?: Logger;
};

/** The knobs `PATCH /_emulator/options` may change. */
export const LIVE_OPTION_KEYS = ['errorRate', 'appliedButErrorRate', 'resetRate', 'latencyMs', 'rateLimit'] as const;
export type LiveOptions = Partial<Pick<FaultOptions, (typeof LIVE_OPTION_KEYS)[number]>>;

export interface RequestLogEntry {
  method: string;
  /** Path and query. */
  path: string;
  /** 0 when the socket was reset without an answer. */
  status: number;
  timestamp: number;
  /** The request changed state (also true for applied-then-5xx). */
  applied: boolean;
  ip: string;
  fault?: 'reset' | 'error' | 'applied-then-error' | 'rate-limited';
}

export interface EmulatorStats {
  requests: number;
  reads: number;
  writes: number;
  writesApplied: number;
  rateLimited: number;
  injected5xx: number;
  appliedThen5xx: number;
  resets: number;
  byStatus: Record<string, number>;
}

/** What a handler answers; `applied` marks a state change. */
export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  applied?: boolean;
}
