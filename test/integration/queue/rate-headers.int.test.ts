import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { RateBudget } from '../../../src/queue/rate-budget.js';
import { serverKey } from '../../../src/queue/server-window.js';
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
  const key = budgetKey(`rh-${randomBytes(4).toString('hex')}`, 'api.example.com#k1');
  used.push(key, serverKey(key));
  return key;
};
const redisNow = async () => {
  const [s, us] = await a.time();
  return Number(s) * 1000 + Number(us) / 1000;
};

describe('a rate budget that follows X-RateLimit-* headers', () => {
  it('pauses every process until the reset when the server says the window is nearly spent', async () => {
    const key = newKey();
    const one = new RateBudget(a, key, { max: 1000, durationMs: 60_000, headroom: 0.95 });
    const two = new RateBudget(b, key, { max: 1000, durationMs: 60_000, headroom: 0.95 });
    const reset = Math.ceil(((await redisNow()) + 1500) / 1000) * 1000;

    expect(await one.observe({ limit: 1000, remaining: 40, resetAtMs: reset })).toBe('paused');
    const slot = await two.reserveSlot();

    expect(slot.at).toBeGreaterThanOrEqual(reset);
  });

  it('paces the rest of the window over the time left when the server has fewer calls left than the configured rate would spend', async () => {
    const key = newKey();
    const one = new RateBudget(a, key, { max: 1000, durationMs: 1000, headroom: 1 });
    const now = await redisNow();
    // 21 left, 1 in reserve: 20 calls over the next ~2 s is one every ~100 ms (the config says 1 ms).
    expect(await one.observe({ limit: 100, remaining: 21, resetAtMs: now + 2000 })).toBe('paced');
    const slots: number[] = [];
    for (let i = 0; i < 5; i++) slots.push((await one.reserveSlot()).at);
    const gaps = slots.slice(1).map((s, i) => s - slots[i]!);
    for (const g of gaps) expect(g).toBeGreaterThan(90);
  });

  it('keeps the configured rate when the server has room, and takes the lowest remaining heard for a window', async () => {
    const key = newKey();
    const one = new RateBudget(a, key, { max: 100, durationMs: 1000, headroom: 1 });
    const reset = (await redisNow()) + 60_000;
    expect(await one.observe({ limit: 100_000, remaining: 90_000, resetAtMs: reset })).toBe('none');
    // An older answer arriving late (higher remaining) does not undo a newer, lower one.
    await one.observe({ limit: 100_000, remaining: 10, resetAtMs: reset });
    expect(await one.observe({ limit: 100_000, remaining: 50_000, resetAtMs: reset })).toBe('paced');
    expect(Number(await a.hget(serverKey(key), 'remaining'))).toBe(10);
  });

  it('ignores a window that has already reset', async () => {
    const key = newKey();
    const one = new RateBudget(a, key, { max: 100, durationMs: 1000, headroom: 1 });
    expect(await one.observe({ limit: 100, remaining: 0, resetAtMs: (await redisNow()) - 10 })).toBe('none');
    expect((await one.reserveSlot()).waitMs).toBeLessThan(5);
  });
});
