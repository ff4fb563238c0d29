import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { ConfigError } from '../errors/index.js';
import { LATE, lateCheckDue, OBSERVE, PACE, PACE_COUNT, serverKey, type ServerWindow } from './server-window.js';

/**
 * GCRA without burst, on Redis's clock: the key holds the theoretical arrival time (TAT) of the
 * next free slot; each reservation takes max(TAT, now) and moves TAT one emission interval on, so
 * slots are `interval` ms apart whichever process asks. A pause moves TAT to now + pause.
 * Times are ms with µs decimals, written with %.3f: Lua's tostring keeps only 14 digits, which
 * would round every 13-digit epoch-ms TAT and bias the spacing.
 * KEYS[1] budget key, KEYS[2] what the server last said (server-window.ts); ARGV[1] interval ms;
 * ARGV[2] pause ms (0 = reserve a slot). Returns {slot ms, wait ms} as strings (slot on Redis's clock).
 */
const RESERVE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local interval = tonumber(ARGV[1])
local pause = tonumber(ARGV[2])
${PACE}
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local slot = tat
if pause > 0 then
  if tat < now + pause then tat = now + pause end
else
  tat = slot + interval
end
redis.call('SET', KEYS[1], string.format('%.3f', tat), 'PX', math.ceil(tat - now + 60000))
${PACE_COUNT}
if pause > 0 then return {string.format('%.3f', tat), '0', '0'} end
return {string.format('%.3f', slot), string.format('%.3f', slot - now), counted}
`;

/** How long until the next free slot, without taking it. */
const PEEK = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat <= now then return '0' end
return string.format('%.3f', tat - now)
`;

export interface BudgetSpec {
  /** Calls the API allows per `durationMs` (per client IP). @defaultValue 5000 (config) */
  max: number;
  /** @defaultValue 300000 (config) */
  durationMs: number;
  /** Share of the limit to use, so clock jitter and late timers never cross it. @defaultValue 0.95 (config) */
  headroom: number;
}

/** How an observation changed the budget (for logs and tests). */
export type Steer = 'none' | 'paced' | 'paused';

export interface Slot {
  /** When the call may be sent, in ms on Redis's clock. */
  at: number;
  /** How long from now (Redis's clock) that is. */
  waitMs: number;
  /** The server window (its reset, epoch ms) the slot was counted for; 0 when none is known. */
  countedResetMs: number;
}

type BudgetRedis = Redis & {
  rostersyncReserve(key: string, server: string, interval: string, pause: string): Promise<[string, string, string]>;
  rostersyncLate(server: string, counted: string): Promise<number>;
  rostersyncPeek(key: string): Promise<string>;
  rostersyncObserve(key: string, server: string, ...args: string[]): Promise<string>;
};

/**
 * One rate budget per target host, shared by reads and writes and by every process on the same
 * Redis: each call reserves the next slot, `duration / (max × headroom)` ms after the previous one.
 */
export class RateBudget {
  readonly intervalMs: number;
  private readonly headroom: number;
  private readonly redis: BudgetRedis;

  constructor(
    redis: Redis,
    readonly key: string,
    spec: BudgetSpec,
  ) {
    if (!(Number.isFinite(spec.max) && spec.max > 0))
      throw new ConfigError(`target.rateLimit.max: expected a number > 0, got ${spec.max}`, 'target.rateLimit.max');
    if (!(Number.isFinite(spec.durationMs) && spec.durationMs > 0))
      throw new ConfigError(
        `target.rateLimit.duration: expected ms > 0, got ${spec.durationMs}`,
        'target.rateLimit.duration',
      );
    if (!(spec.headroom > 0 && spec.headroom <= 1))
      throw new ConfigError(
        `target.rateLimit.headroom: expected a number in (0, 1], got ${spec.headroom}`,
        'target.rateLimit.headroom',
      );
    this.intervalMs = spec.durationMs / (spec.max * spec.headroom);
    if (!('rostersyncReserve' in redis)) redis.defineCommand('rostersyncReserve', { numberOfKeys: 2, lua: RESERVE });
    if (!('rostersyncPeek' in redis)) redis.defineCommand('rostersyncPeek', { numberOfKeys: 1, lua: PEEK });
    if (!('rostersyncLate' in redis)) redis.defineCommand('rostersyncLate', { numberOfKeys: 1, lua: LATE });
    if (!('rostersyncObserve' in redis)) redis.defineCommand('rostersyncObserve', { numberOfKeys: 2, lua: OBSERVE });
    this.headroom = spec.headroom;
    this.redis = redis as BudgetRedis;
  }

  get ratePerSecond(): number {
    return 1000 / this.intervalMs;
  }

  /** Reserves the next slot without waiting for it. */
  async reserveSlot(): Promise<Slot> {
    const [at, wait, counted] = await this.redis.rostersyncReserve(
      this.key,
      serverKey(this.key),
      String(this.intervalMs),
      '0',
    );
    return { at: Number(at), waitMs: Number(wait), countedResetMs: Number(counted) };
  }

  /** Reserves a slot and returns the wait in ms without sleeping. */
  async reserve(): Promise<number> {
    return (await this.reserveSlot()).waitMs;
  }

  /** Waits for this caller's slot: call before every request to the host. */
  async acquire(): Promise<void> {
    const slot = await this.reserveSlot();
    if (slot.waitMs > 0) await sleep(slot.waitMs);
    // Woken past the server window the call was counted for: count it where it will land.
    if (lateCheckDue(slot.countedResetMs, Date.now()))
      await this.redis.rostersyncLate(serverKey(this.key), String(slot.countedResetMs));
  }

  /** Ms until the next free slot, reserving nothing (a worker sets aside ops whose budget is far ahead). */
  async backlogMs(): Promise<number> {
    return Number(await this.redis.rostersyncPeek(this.key));
  }

  /** A 429's Retry-After: no slot is handed out before it has passed, in any process. */
  async pause(ms: number): Promise<void> {
    await this.redis.rostersyncReserve(this.key, serverKey(this.key), String(this.intervalMs), String(Math.max(1, ms)));
  }

  /**
   * What the server said of its own window (X-RateLimit-*): the budget slows down so the rest of
   * the window lasts until its reset, and pauses until the reset when it is nearly spent. Shared by
   * every process through Redis, like the slots; calls by other clients on the same key count too.
   */
  async observe(w: ServerWindow): Promise<Steer> {
    const args = [this.intervalMs, w.limit, w.remaining, w.resetAtMs, this.headroom].map(String);
    return (await this.redis.rostersyncObserve(this.key, serverKey(this.key), ...args)) as Steer;
  }
}
