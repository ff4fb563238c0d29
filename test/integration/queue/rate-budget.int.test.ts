import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { ConfigError } from '../../../src/errors/index.js';
import { RateBudget } from '../../../src/queue/rate-budget.js';
import { budgetKey } from '../../../src/store/keys.js';

const redisUrl = inject('redisUrl');
let a: Redis;
let b: Redis;
const used: string[] = [];

beforeAll(() => {
  a = new Redis(redisUrl);
  b = new Redis(redisUrl);
});
afterAll(async () => {
  await a.quit();
  await b.quit();
});
afterEach(async () => {
  if (used.length > 0) await a.del(...used.splice(0));
});

const newKey = () => {
  const key = budgetKey(`rb-${randomBytes(4).toString('hex')}`, 'api.example.com');
  used.push(key);
  return key;
};
const gaps = (slots: number[]) => slots.slice(1).map((s, i) => s - slots[i]!);

describe('rate budget', () => {
  it('hands 200 slots at 100/s to two clients 10 ms apart: the last is at least 1.99 s after the first', async () => {
    const key = newKey();
    const one = new RateBudget(a, key, { max: 100, durationMs: 1000, headroom: 1 });
    const two = new RateBudget(b, key, { max: 100, durationMs: 1000, headroom: 1 });

    const slots = await Promise.all(Array.from({ length: 200 }, (_, i) => (i % 2 === 0 ? one : two).reserveSlot()));

    const at = slots.map((s) => s.at).sort((x, y) => x - y);
    expect(new Set(at).size).toBe(200);
    expect(Math.min(...gaps(at))).toBeGreaterThanOrEqual(10 - 0.002);
    expect(at.at(-1)! - at[0]!).toBeGreaterThanOrEqual(1990 - 0.5);
    // Each caller is told to wait until its own slot.
    const waits = slots.map((s) => s.waitMs).sort((x, y) => x - y);
    expect(waits[0]).toBeLessThan(10);
    expect(waits.at(-1)).toBeGreaterThan(1900);
  });

  it('applies headroom: 5,000 per 300 s at 95% is one slot every 63.16 ms (15.83/s)', () => {
    const budget = new RateBudget(a, newKey(), { max: 5000, durationMs: 300_000, headroom: 0.95 });
    expect(budget.intervalMs).toBeCloseTo(63.158, 3);
    expect(budget.ratePerSecond).toBeCloseTo(15.833, 3);
  });

  it('keeps a fractional interval within 1 ms over 1,000 slots (times kept to the µs, not rounded to 0.1 ms)', async () => {
    const budget = new RateBudget(a, newKey(), { max: 95, durationMs: 1000, headroom: 1 });

    const at: number[] = [];
    for (let i = 0; i < 1000; i += 100)
      at.push(...(await Promise.all(Array.from({ length: 100 }, () => budget.reserveSlot()))).map((s) => s.at));

    at.sort((x, y) => x - y);
    expect(Math.abs(at.at(-1)! - at[0]! - 999 * budget.intervalMs)).toBeLessThan(1);
  });

  it('gives no burst after idling: the slot after a pause in traffic is spaced like any other', async () => {
    const budget = new RateBudget(a, newKey(), { max: 100, durationMs: 1000, headroom: 1 });
    await budget.reserveSlot();
    await sleep(200);

    const [x, y, z] = await Promise.all([budget.reserveSlot(), budget.reserveSlot(), budget.reserveSlot()]);

    expect(gaps([x!.at, y!.at, z!.at].sort((p, q) => p - q)).every((g) => g >= 10 - 0.002)).toBe(true);
  });

  it('a pause (Retry-After) from one process pushes every process past it', async () => {
    const key = newKey();
    const one = new RateBudget(a, key, { max: 100, durationMs: 1000, headroom: 1 });
    const two = new RateBudget(b, key, { max: 100, durationMs: 1000, headroom: 1 });
    const before = await two.reserveSlot();

    await one.pause(2_000);
    const after = await two.reserveSlot();

    expect(after.waitMs).toBeGreaterThan(1_990);
    expect(after.at - before.at).toBeGreaterThanOrEqual(2_000 - 1);
    // A shorter pause never shortens a longer one.
    await one.pause(10);
    expect((await one.reserveSlot()).at).toBeGreaterThan(after.at);
  });

  it('keeps hosts apart: one budget per key', async () => {
    const busy = new RateBudget(a, newKey(), { max: 1, durationMs: 60_000, headroom: 1 });
    const other = new RateBudget(a, newKey(), { max: 1, durationMs: 60_000, headroom: 1 });
    await busy.reserveSlot();
    expect((await busy.reserveSlot()).waitMs).toBeGreaterThan(59_000);
    expect((await other.reserveSlot()).waitMs).toBeLessThan(5);
  });

  it('refuses a budget that cannot be applied, naming the setting', () => {
    expect(() => new RateBudget(a, 'k', { max: 0, durationMs: 1000, headroom: 1 })).toThrow(ConfigError);
    expect(() => new RateBudget(a, 'k', { max: 10, durationMs: 1000, headroom: 1.5 })).toThrow(
      /target\.rateLimit\.headroom: expected a number in \(0, 1\], got 1\.5/,
    );
  });
});
