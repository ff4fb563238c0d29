import { FaultDice, FixedWindowLimiter, SlidingWindowLimiter, type Limiter } from './faults.js';
import type { EmulatorStats, FaultOptions, RequestLogEntry } from './types.js';

export const emptyStats = (): EmulatorStats => ({
  requests: 0,
  reads: 0,
  writes: 0,
  writesApplied: 0,
  rateLimited: 0,
  injected5xx: 0,
  appliedThen5xx: 0,
  resets: 0,
  byStatus: {},
});

/**
 * What every emulator keeps besides its domain state: options, rate window, fault dice, request log
 * and stats. Read fresh per request, so reset() and setOptions() apply at once.
 */
export class EmulatorRuntime<O extends FaultOptions> {
  readonly stats = emptyStats();
  /** Every request, oldest first (bounded by maxLogEntries); cleared in place by resetRuntime(). */
  readonly log: RequestLogEntry[] = [];
  readonly dice: FaultDice;
  private rateWindow: Limiter | undefined;

  constructor(
    private current: O,
    private readonly resolve: (partial: object, base: O) => O,
  ) {
    this.dice = new FaultDice(() => this.current);
    this.rateWindow = this.newLimiter();
  }

  get options(): O {
    return this.current;
  }

  limiter(): Limiter | undefined {
    return this.rateWindow;
  }

  private newLimiter(): Limiter | undefined {
    const o = this.current;
    if (o.rateLimit === false) return undefined;
    return o.rateLimit.fixed
      ? new FixedWindowLimiter(o.rateLimit, o.now)
      : new SlidingWindowLimiter(o.rateLimit, o.now);
  }

  /** Validates through the emulator's resolver; a bad value throws and changes nothing. */
  setOptions(partial: object): void {
    const before = this.current;
    this.current = this.resolve(partial, before);
    if (this.current.rateLimit !== before.rateLimit) this.rateWindow = this.newLimiter();
    if (this.current.seed !== before.seed) this.dice.reseed(this.current.seed);
  }

  /** Empty log, zero stats, fresh rate window and PRNG (domain state is the emulator's job). */
  resetRuntime(): void {
    this.log.length = 0;
    Object.assign(this.stats, emptyStats());
    this.rateWindow = this.newLimiter();
    this.dice.reseed(this.current.seed);
  }

  statsSnapshot(): EmulatorStats {
    return { ...this.stats, byStatus: { ...this.stats.byStatus } };
  }

  /** Counts the status and keeps the entry; drops a tenth at a time so a full log costs one memmove per many requests. */
  record(entry: RequestLogEntry, name: string): void {
    const s = this.stats;
    s.byStatus[entry.status] = (s.byStatus[entry.status] ?? 0) + 1;
    const o = this.current;
    if (o.maxLogEntries > 0) {
      this.log.push(entry);
      if (this.log.length > o.maxLogEntries) this.log.splice(0, this.log.length - Math.floor(o.maxLogEntries * 0.9));
    }
    o.logger.debug(
      { method: entry.method, path: entry.path, status: entry.status, applied: entry.applied, fault: entry.fault },
      `${name} emulator request`,
    );
  }
}
