import { RostersyncError } from '../../errors/index.js';
import { silentLogger } from '../../log/logger.js';
import type { ChartioEmulatorOptions, ResolvedOptions } from './types.js';

/** A bad emulator option, named with the expected value. */
export class EmulatorOptionError extends RostersyncError {
  constructor(message: string) {
    super('EMULATOR_OPTION', message);
  }
}

export const DEFAULT_RATE_LIMIT = { max: 5000, windowMs: 300_000 } as const;

export function resolveOptions(input: ChartioEmulatorOptions = {}, base?: ResolvedOptions): ResolvedOptions {
  const o: ResolvedOptions = {
    port: 0,
    host: '127.0.0.1',
    org: 'example-org',
    apiKey: 'emulator-key',
    apiSecret: 'emulator-secret',
    maxUsers: 10_000,
    maxTeams: 2_000,
    maxPermissions: 100,
    pageSize: 100,
    rateLimit: { ...DEFAULT_RATE_LIMIT },
    latencyMs: 0,
    errorRate: 0,
    appliedButErrorRate: 0,
    resetRate: 0,
    seed: 1,
    ownerEmail: 'owner@example.com',
    addedFromDashboard: false,
    hrefBase: '',
    now: Date.now,
    maxLogEntries: 100_000,
    preload: undefined,
    logger: silentLogger,
    ...base,
  };
  for (const [key, value] of Object.entries(input)) {
    if (value !== undefined) (o as unknown as Record<string, unknown>)[key] = value;
  }
  check(o);
  return o;
}

function check(o: ResolvedOptions): void {
  const int = (name: string, v: number, min: number) => {
    if (!Number.isInteger(v) || v < min) throw new EmulatorOptionError(`${name}: expected an integer >= ${min}, got ${String(v)}`);
  };
  const rate = (name: string, v: number) => {
    if (typeof v !== 'number' || !(v >= 0 && v <= 1)) throw new EmulatorOptionError(`${name}: expected a number in [0, 1], got ${String(v)}`);
  };
  int('port', o.port, 0);
  int('maxUsers', o.maxUsers, 0);
  int('maxTeams', o.maxTeams, 1);
  int('maxPermissions', o.maxPermissions, 0);
  int('pageSize', o.pageSize, 1);
  int('maxLogEntries', o.maxLogEntries, 0);
  rate('errorRate', o.errorRate);
  rate('appliedButErrorRate', o.appliedButErrorRate);
  rate('resetRate', o.resetRate);
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(o.org)) throw new EmulatorOptionError(`org: expected a slug of letters, digits, '-' or '_', got "${o.org}"`);
  if (!o.apiKey || !o.apiSecret) throw new EmulatorOptionError('apiKey and apiSecret: expected non-empty strings');
  if (o.apiKey.includes(':')) throw new EmulatorOptionError('apiKey: must not contain ":" (Basic auth separator)');
  if (!o.ownerEmail.includes('@')) throw new EmulatorOptionError(`ownerEmail: expected an email, got "${o.ownerEmail}"`);
  if (o.rateLimit !== false) {
    int('rateLimit.max', o.rateLimit.max, 1);
    int('rateLimit.windowMs', o.rateLimit.windowMs, 1);
  }
  const lat = typeof o.latencyMs === 'number' ? [o.latencyMs, o.latencyMs] : o.latencyMs;
  if (!Array.isArray(lat) || lat.length !== 2 || !(lat[0]! >= 0) || !(lat[1]! >= lat[0]!)) {
    throw new EmulatorOptionError(`latencyMs: expected ms >= 0 or [min, max] with 0 <= min <= max, got ${JSON.stringify(o.latencyMs)}`);
  }
  if (!Number.isFinite(o.seed)) throw new EmulatorOptionError(`seed: expected a finite number, got ${String(o.seed)}`);
}
