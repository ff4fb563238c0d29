import { describe, expect, it } from 'vitest';
import { parseRateHeaders } from '../../../src/queue/server-window.js';

describe('X-RateLimit-* headers', () => {
  const now = 1_750_000_000_000;
  it('reads limit, remaining and an epoch-seconds reset', () => {
    const h = new Headers({
      'x-ratelimit-limit': '1000',
      'x-ratelimit-remaining': '998',
      'x-ratelimit-reset': '1750000060',
    });
    expect(parseRateHeaders(h, now)).toEqual({ limit: 1000, remaining: 998, resetAtMs: 1_750_000_060_000 });
  });
  it('takes a small reset as seconds from now', () => {
    const h = new Headers({ 'x-ratelimit-limit': '10', 'x-ratelimit-remaining': '3', 'x-ratelimit-reset': '30' });
    expect(parseRateHeaders(h, now)?.resetAtMs).toBe(now + 30_000);
  });
  it('is undefined when a header is missing or not a number', () => {
    expect(
      parseRateHeaders(new Headers({ 'x-ratelimit-limit': '10', 'x-ratelimit-remaining': '3' }), now),
    ).toBeUndefined();
    expect(
      parseRateHeaders(
        new Headers({ 'x-ratelimit-limit': 'ten', 'x-ratelimit-remaining': '3', 'x-ratelimit-reset': '5' }),
        now,
      ),
    ).toBeUndefined();
  });
});
