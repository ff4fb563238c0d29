import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createGrafanaEmulator,
  EmulatorOptionError,
  type GrafanaEmulator,
} from '../../../src/emulators/grafana/index.js';
import { api, bearer, manualClock, TOKEN } from './support.js';

let emu: GrafanaEmulator;
const clock = manualClock();
beforeAll(async () => {
  emu = await createGrafanaEmulator({ now: clock.now });
});
afterAll(() => emu.close());
beforeEach(() => {
  emu.setOptions({ errorRate: 0, appliedButErrorRate: 0, resetRate: 0, latencyMs: 0, rateLimit: false, seed: 1 });
  emu.reset();
});

const sa = () => api(emu, { auth: bearer(TOKEN) });
const control = async (method: string, name: string, body?: unknown) => {
  const res = await fetch(`${emu.url}/_emulator/${name}`, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
};

describe('rate limit (off by default: Grafana documents none)', () => {
  it('is off by default', async () => {
    for (let i = 0; i < 20; i++) expect((await sa().get('org')).status).toBe(200);
  });

  it('when configured, answers 429 with Retry-After seconds, not applied, and admits again after the window', async () => {
    emu.setOptions({ rateLimit: { max: 2, windowMs: 10_000 } });
    await sa().get('org');
    clock.advance(4_000);
    await sa().get('org');

    const limited = await sa().post('teams', { name: 'Ops' });
    clock.advance(6_001);
    const again = await sa().post('teams', { name: 'Ops' });

    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('6');
    expect(emu.requestLog[2]).toMatchObject({ status: 429, applied: false, fault: 'rate-limited' });
    expect(again.status).toBe(200);
    expect(emu.stats().rateLimited).toBe(1);
  });
});

describe('fault injection', () => {
  it('errorRate 1 answers 500/502/503 without applying', async () => {
    emu.setOptions({ errorRate: 1 });
    const res = await sa().post('teams', { name: 'Ops' });
    expect([500, 502, 503]).toContain(res.status);
    expect(emu.state.teams.size).toBe(0);
    expect(emu.requestLog[0]).toMatchObject({ fault: 'error', applied: false });
  });

  it('appliedButErrorRate 1 applies a write, then answers 5xx; reads are untouched', async () => {
    emu.setOptions({ appliedButErrorRate: 1 });
    const write = await sa().post('teams', { name: 'Ops' });
    const read = await sa().get('teams/search');
    expect([500, 502, 503]).toContain(write.status);
    expect(read.status).toBe(200);
    expect(read.body.totalCount).toBe(1);
    expect(emu.requestLog[0]).toMatchObject({ method: 'POST', applied: true, fault: 'applied-then-error' });
    expect(emu.stats()).toMatchObject({ writesApplied: 1, appliedThen5xx: 1 });
  });

  it('resetRate 1 destroys the socket without an answer and without applying', async () => {
    emu.setOptions({ resetRate: 1 });
    await expect(sa().post('teams', { name: 'Ops' })).rejects.toThrow();
    expect(emu.state.teams.size).toBe(0);
    expect(emu.requestLog[0]).toMatchObject({ status: 0, fault: 'reset' });
  });

  it('a seed replays the same fault sequence', async () => {
    const run = async () => {
      emu.setOptions({ errorRate: 0.5, seed: 42 });
      emu.reset();
      const statuses: number[] = [];
      for (let i = 0; i < 12; i++) statuses.push((await sa().get('org')).status);
      return statuses;
    };
    const first = await run();
    expect(await run()).toEqual(first);
    expect(new Set(first).size).toBeGreaterThan(1);
  });

  it('latencyMs delays answers', async () => {
    emu.setOptions({ latencyMs: 60 });
    const t0 = performance.now();
    await sa().get('org');
    expect(performance.now() - t0).toBeGreaterThanOrEqual(55);
  });

  it('bad options are refused with the key named', () => {
    expect(() => emu.setOptions({ errorRate: 2 })).toThrow(EmulatorOptionError);
    expect(() => emu.setOptions({ version: '11' })).toThrow(/version/);
    expect(() => emu.setOptions({ tokens: [{ token: '', orgId: 1, role: 'Admin' }] })).toThrow(/tokens\.0\.token/);
  });
});

describe('shared control endpoints', () => {
  it('log, stats, options and reset work without auth and are never counted', async () => {
    await sa().post('teams', { name: 'Ops' });

    const log = await control('GET', 'log');
    const stats = await control('GET', 'stats');
    const opts = await control('PATCH', 'options', { rateLimit: { max: 1, windowMs: 1000 } });
    const reset = await control('POST', 'reset');

    expect(log.body.entries).toEqual([
      expect.objectContaining({
        method: 'POST',
        path: '/api/teams',
        status: 200,
        applied: true,
        ip: expect.any(String),
      }),
    ]);
    expect(stats.body).toMatchObject({ requests: 1, writes: 1, writesApplied: 1 });
    expect(opts.body.rateLimit).toEqual({ max: 1, windowMs: 1000 });
    expect(reset.status).toBe(200);
    expect(emu.state.teams.size).toBe(0);
    expect(emu.stats().requests).toBe(0);
  });

  it('control calls pass while the API is rate limited or faulted', async () => {
    emu.setOptions({ rateLimit: { max: 1, windowMs: 60_000 } });
    await sa().get('org');
    expect((await sa().get('org')).status).toBe(429);
    emu.setOptions({ errorRate: 1 });
    expect((await control('GET', 'stats')).status).toBe(200);
    expect((await control('PATCH', 'options', { errorRate: 0, rateLimit: false })).status).toBe(200);
    expect((await sa().get('org')).status).toBe(200);
  });

  it('PATCH options refuses knobs outside the shared set', async () => {
    expect(await control('PATCH', 'options', { adminPassword: 'x' })).toMatchObject({ status: 400 });
  });
});
