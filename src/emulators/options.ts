import { RostersyncError } from '../errors/index.js';
import { silentLogger } from '../log/logger.js';
import type { FaultOptions } from './types.js';

/** A bad emulator option, named with the expected value. */
export class EmulatorOptionError extends RostersyncError {
  constructor(message: string) {
    super('EMULATOR_OPTION', message);
  }
}

/** Defaults of the shared knobs; each emulator picks its own rate limit default. */
export const faultDefaults = (): Omit<FaultOptions, 'rateLimit'> => ({
  latencyMs: 0,
  errorRate: 0,
  appliedButErrorRate: 0,
  resetRate: 0,
  seed: 1,
  now: Date.now,
  maxLogEntries: 100_000,
  logger: silentLogger,
});

/** Copies the defined keys of `input` over `base` (undefined means "keep"). */
export function mergeDefined<T extends object>(base: T, input: object): T {
  const out = { ...base } as Record<string, unknown>;
  for (const [key, value] of Object.entries(input)) if (value !== undefined) out[key] = value;
  return out as T;
}

export function checkInt(name: string, v: unknown, min: number): void {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
    throw new EmulatorOptionError(`${name}: expected an integer >= ${min}, got ${String(v)}`);
  }
}

/** Checks the shared knobs with messages that name the key and the expected value. */
export function checkFaultOptions(o: FaultOptions): void {
  const rate = (name: string, v: number) => {
    if (typeof v !== 'number' || !(v >= 0 && v <= 1))
      throw new EmulatorOptionError(`${name}: expected a number in [0, 1], got ${String(v)}`);
  };
  checkInt('maxLogEntries', o.maxLogEntries, 0);
  rate('errorRate', o.errorRate);
  rate('appliedButErrorRate', o.appliedButErrorRate);
  rate('resetRate', o.resetRate);
  if (o.rateLimit !== false) {
    if (typeof o.rateLimit !== 'object' || o.rateLimit === null) {
      throw new EmulatorOptionError(`rateLimit: expected false or {max, windowMs}, got ${JSON.stringify(o.rateLimit)}`);
    }
    checkInt('rateLimit.max', o.rateLimit.max, 1);
    checkInt('rateLimit.windowMs', o.rateLimit.windowMs, 1);
    if (o.rateLimit.fixed !== undefined && typeof o.rateLimit.fixed !== 'boolean')
      throw new EmulatorOptionError(`rateLimit.fixed: expected a boolean, got ${JSON.stringify(o.rateLimit.fixed)}`);
  }
  const lat = typeof o.latencyMs === 'number' ? [o.latencyMs, o.latencyMs] : o.latencyMs;
  if (!Array.isArray(lat) || lat.length !== 2 || !(lat[0]! >= 0) || !(lat[1]! >= lat[0]!)) {
    throw new EmulatorOptionError(
      `latencyMs: expected ms >= 0 or [min, max] with 0 <= min <= max, got ${JSON.stringify(o.latencyMs)}`,
    );
  }
  if (!Number.isFinite(o.seed)) throw new EmulatorOptionError(`seed: expected a finite number, got ${String(o.seed)}`);
}
