import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createChartioEmulator, type ChartioEmulator } from '../../../src/emulators/chartio/index.js';
import { api, manualClock } from './support.js';

let emu: ChartioEmulator;
const clock = manualClock();
beforeAll(async () => {
  emu = await createChartioEmulator({ now: clock.now, rateLimit: { max: 2, windowMs: 60_000 } });
});
afterAll(() => emu.close());
beforeEach(() => {
  emu.reset();
  emu.setOptions({
    errorRate: 0,
    resetRate: 0,
    appliedButErrorRate: 0,
    latencyMs: 0,
    rateLimit: { max: 2, windowMs: 60_000 },
  });
});

const control = async (method: string, name: string, body?: unknown) => {
  const res = await fetch(`${emu.url}/_emulator/${name}`, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
};

describe('shared control endpoints', () => {
  it('GET /_emulator/log lists API requests only, without auth, and is never counted', async () => {
    await api(emu).get('users');
    await api(emu).post('teams', { name: 'Sales' });

    const log = await control('GET', 'log');
    await control('GET', 'log');

    expect(log.status).toBe(200);
    expect(log.body.entries.map((e: any) => [e.method, e.status, e.applied])).toEqual([
      ['GET', 200, false],
      ['POST', 201, true],
    ]);
    expect(emu.requestLog).toHaveLength(2);
  });

  it('GET /_emulator/stats answers the same counters as stats()', async () => {
    await api(emu).get('users');

    const stats = await control('GET', 'stats');

    expect(stats.status).toBe(200);
    expect(stats.body).toEqual(emu.stats());
    expect(stats.body).toMatchObject({ requests: 1, reads: 1, writes: 0, byStatus: { 200: 1 } });
  });

  it('control calls are never rate limited or faulted', async () => {
    emu.setOptions({ errorRate: 1, resetRate: 0 });
    for (let i = 0; i < 5; i++) expect((await control('GET', 'stats')).status).toBe(200);
    expect((await api(emu).get('users')).status).toBeGreaterThanOrEqual(500);

    emu.setOptions({ errorRate: 0 });
    await api(emu).get('users');
    expect((await api(emu).get('users')).status).toBe(429);
    expect((await control('GET', 'log')).status).toBe(200);
  });

  it('POST /_emulator/reset restores the initial org and clears log and stats', async () => {
    await api(emu).post('teams', { name: 'Sales' });

    const res = await control('POST', 'reset');

    expect(res.status).toBe(200);
    expect(emu.dump().teams.map((t) => t.name)).toEqual(['Owners']);
    expect(emu.requestLog).toHaveLength(0);
    expect(emu.stats().requests).toBe(0);
  });

  it('PATCH /_emulator/options changes the fault knobs live and answers them', async () => {
    const res = await control('PATCH', 'options', { errorRate: 1, latencyMs: [0, 1], rateLimit: false });

    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      errorRate: 1,
      appliedButErrorRate: 0,
      resetRate: 0,
      latencyMs: [0, 1],
      rateLimit: false,
    });
    expect(emu.options.errorRate).toBe(1);
    expect([500, 502, 503]).toContain((await api(emu).get('users')).status);
  });

  it('PATCH /_emulator/options refuses unknown keys and bad values with 400, changing nothing', async () => {
    const unknown = await control('PATCH', 'options', { apiSecret: 'x' });
    const bad = await control('PATCH', 'options', { errorRate: 2 });
    const notJson = await fetch(`${emu.url}/_emulator/options`, { method: 'PATCH', body: '{' });

    expect(unknown.status).toBe(400);
    expect(unknown.body.message).toMatch(/apiSecret/);
    expect(bad.status).toBe(400);
    expect(bad.body.message).toBe('errorRate: expected a number in [0, 1], got 2');
    expect(notJson.status).toBe(400);
    expect(emu.options.errorRate).toBe(0);
  });

  it('unknown control names answer 404 and wrong methods 405', async () => {
    expect((await control('GET', 'nope')).status).toBe(404);
    const wrong = await fetch(`${emu.url}/_emulator/reset`);
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('POST');
  });
});
