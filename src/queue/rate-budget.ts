import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';

/**
 * Reserves the next send slot: slots are `interval` ms apart on Redis's clock, so every process
 * on this Redis shares one smooth budget. Returns how long the caller must wait for its slot.
 * KEYS[1] budget key; ARGV[1] interval ms (float); ARGV[2] pause ms (0 = reserve a slot).
 */
const RESERVE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local interval = tonumber(ARGV[1])
local pause = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if pause > 0 then
  if tat < now + pause then tat = now + pause end
  redis.call('SET', KEYS[1], tostring(tat), 'PX', math.ceil(tat - now + 60000))
  return '0'
end
local slot = tat
if slot < now then slot = now end
local nextTat = slot + interval
redis.call('SET', KEYS[1], tostring(nextTat), 'PX', math.ceil(nextTat - now + 60000))
return tostring(slot - now)
`;

export interface BudgetSpec {
  /** Calls allowed per duration by the API. */
  max: number;
  durationMs: number;
  /** Share of it to use. @defaultValue 0.95 */
  headroom: number;
}

type BudgetRedis = Redis & { rostersyncReserve(key: string, interval: string, pause: string): Promise<string> };

/** One rate budget per target host, shared by reads, writes and processes. */
export class RateBudget {
  readonly intervalMs: number;
  private readonly redis: BudgetRedis;

  constructor(redis: Redis, readonly key: string, spec: BudgetSpec) {
    this.intervalMs = spec.durationMs / (spec.max * spec.headroom);
    if (!('rostersyncReserve' in redis)) redis.defineCommand('rostersyncReserve', { numberOfKeys: 1, lua: RESERVE });
    this.redis = redis as BudgetRedis;
  }

  get ratePerSecond(): number {
    return 1000 / this.intervalMs;
  }

  /** Reserves a slot and returns the wait in ms without sleeping (for tests and metrics). */
  async reserve(): Promise<number> {
    return Number(await this.redis.rostersyncReserve(this.key, String(this.intervalMs), '0'));
  }

  /** Waits for this caller's slot. */
  async acquire(): Promise<void> {
    const wait = await this.reserve();
    if (wait > 0) await sleep(wait);
  }

  /** A 429's Retry-After: no slot is handed out before it has passed, in any process. */
  async pause(ms: number): Promise<void> {
    await this.redis.rostersyncReserve(this.key, String(this.intervalMs), String(Math.max(1, ms)));
  }
}
