import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createChartioEmulator,
  EmulatorOptionError,
  type ChartioEmulator,
} from '../../../src/emulators/chartio/index.js';
import { api, type Api } from './support.js';

let emu: ChartioEmulator;
let http: Api;

beforeAll(async () => {
  emu = await createChartioEmulator({
    rateLimit: false,
    preload: { teams: [{ name: 'Sales', members: ['alice@example.com'] }] },
  });
  http = api(emu);
});
afterAll(() => emu.close());
beforeEach(() => {
  emu.setOptions({ errorRate: 0, appliedButErrorRate: 0, resetRate: 0, latencyMs: 0, seed: 1 });
  emu.reset();
});

describe('routing and bodies', () => {
  it('GET /{org}: root links', async () => {
    const res = await http.get('');

    expect(res.status).toBe(200);
    expect(res.body._links.self.href).toBe('/example-org/');
    expect(res.body._embedded['chartio:users'].href).toBe('/example-org/users/');
    expect(res.body._embedded['chartio:teams'].href).toBe('/example-org/teams/');
  });

  it('404: unknown route, inside and outside /v1', async () => {
    expect((await http.get('widgets')).status).toBe(404);
    expect((await http.get('users/1/teams')).status).toBe(404);
    const outside = await fetch(`${emu.url}/v2/example-org/users`);
    expect(outside.status).toBe(404);
    expect(await outside.json()).toEqual({ message: 'Not found.' });
  });

  it('405: a known route with a method it does not support, with Allow', async () => {
    const res = await http.put('users', { email: 'x@example.com' });

    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, POST');
    expect(res.body.message).toMatch(/not allowed/);
  });

  it('400: a malformed JSON body, nothing applied', async () => {
    const res = await http.post('teams', undefined, { raw: '{"name": "Finance"' });

    expect(res.status).toBe(400);
    expect(res.body).toEqual({ message: 'Malformed JSON request body.' });
    expect(emu.dump().teams.map((t) => t.name)).toEqual(['Owners', 'Sales']);
  });

  it('hrefBase puts a prefix on HAL hrefs and Location headers', async () => {
    emu.setOptions({ hrefBase: '/v1' });
    try {
      const res = await http.post('teams', { name: 'Finance' });
      expect(res.headers.get('location')).toBe(`/v1/example-org/teams/${res.body.id}/`);
    } finally {
      emu.setOptions({ hrefBase: '' });
    }
  });
});

describe('injected faults', () => {
  it('errorRate 1: every request gets 500/502/503 and nothing is applied', async () => {
    emu.setOptions({ errorRate: 1 });
    const before = emu.dump();

    const write = await http.post('teams', { name: 'Finance' });
    const read = await http.get('users');

    expect([500, 502, 503]).toContain(write.status);
    expect([500, 502, 503]).toContain(read.status);
    expect(write.body.message).toBeTypeOf('string');
    expect(emu.dump()).toEqual(before);
    expect(emu.requestLog.map((e) => [e.applied, e.fault])).toEqual([
      [false, 'error'],
      [false, 'error'],
    ]);
    expect(emu.stats()).toMatchObject({ requests: 2, injected5xx: 2, writesApplied: 0 });
  });

  it('appliedButErrorRate 1: writes are applied, then answered 5xx; reads are unaffected', async () => {
    emu.setOptions({ appliedButErrorRate: 1 });

    const write = await http.post('teams', { name: 'Finance' });
    const read = await http.get('teams');

    expect([500, 502, 503]).toContain(write.status);
    expect(emu.dump().teams.map((t) => t.name)).toContain('Finance');
    expect(read.status).toBe(200);
    expect(emu.requestLog[0]).toMatchObject({ method: 'POST', applied: true, fault: 'applied-then-error' });
    expect(emu.stats()).toMatchObject({ writesApplied: 1, appliedThen5xx: 1 });
  });

  it('appliedButErrorRate 1: a retried write then meets the documented idempotent answer (409)', async () => {
    emu.setOptions({ appliedButErrorRate: 1 });
    expect((await http.post('teams', { name: 'Finance' })).status).toBeGreaterThanOrEqual(500);
    emu.setOptions({ appliedButErrorRate: 0 });

    expect((await http.post('teams', { name: 'Finance' })).status).toBe(409);
  });

  it('resetRate 1: the socket is destroyed without an answer and nothing is applied', async () => {
    emu.setOptions({ resetRate: 1 });
    const before = emu.dump();

    await expect(http.post('teams', { name: 'Finance' })).rejects.toThrow(TypeError);

    expect(emu.dump()).toEqual(before);
    expect(emu.requestLog[0]).toMatchObject({ status: 0, applied: false, fault: 'reset' });
    expect(emu.stats().resets).toBe(1);
  });

  it('a seed replays the same fault sequence', async () => {
    const run = async (seed: number) => {
      emu.setOptions({ errorRate: 0.5, seed });
      emu.reset();
      const statuses: number[] = [];
      for (let i = 0; i < 20; i++) statuses.push((await http.get('users')).status);
      return statuses;
    };

    const a = await run(42);
    const b = await run(42);

    expect(a).toEqual(b);
    expect(a.some((s) => s === 200)).toBe(true);
    expect(a.some((s) => s >= 500)).toBe(true);
  });

  it('latencyMs delays each answer by at least the configured time', async () => {
    emu.setOptions({ latencyMs: 120 });
    const fixedStart = performance.now();
    expect((await http.get('users')).status).toBe(200);
    const fixed = performance.now() - fixedStart;

    emu.setOptions({ latencyMs: [60, 90] });
    const rangeStart = performance.now();
    expect((await http.get('users')).status).toBe(200);
    const ranged = performance.now() - rangeStart;

    expect(fixed).toBeGreaterThanOrEqual(115);
    expect(ranged).toBeGreaterThanOrEqual(55);
  });
});

describe('test hooks', () => {
  it('requestLog records method, path, status, time, applied and client IP', async () => {
    await http.post('teams', { name: 'Finance' });
    await http.get('teams?page=1');

    expect(emu.requestLog).toEqual([
      {
        method: 'POST',
        path: '/v1/example-org/teams',
        status: 201,
        timestamp: expect.any(Number),
        applied: true,
        ip: '127.0.0.1',
      },
      {
        method: 'GET',
        path: '/v1/example-org/teams?page=1',
        status: 200,
        timestamp: expect.any(Number),
        applied: false,
        ip: '127.0.0.1',
      },
    ]);
    expect(emu.stats()).toMatchObject({
      requests: 2,
      reads: 1,
      writes: 1,
      writesApplied: 1,
      byStatus: { 200: 1, 201: 1 },
    });
  });

  it('reset() restores the initial org and clears log and counters', async () => {
    await http.post('teams', { name: 'Finance' });

    emu.reset();

    expect(emu.dump().teams.map((t) => t.name)).toEqual(['Owners', 'Sales']);
    expect(emu.requestLog).toHaveLength(0);
    expect(emu.stats().requests).toBe(0);
  });

  it('preload() adds users and teams in bulk, merging existing names and emails', async () => {
    emu.preload({
      teams: [{ name: 'sales', members: ['ALICE@example.com', 'bob@example.com'] }],
      users: [{ email: 'eve@example.com', teams: ['Ops'] }],
    });

    const dump = emu.dump();
    expect(dump.teams.map((t) => [t.name, t.members])).toEqual([
      ['Owners', ['owner@example.com']],
      ['Sales', ['alice@example.com', 'bob@example.com']],
      ['Ops', ['eve@example.com']],
    ]);
  });

  it('options are checked with exact messages', async () => {
    await expect(createChartioEmulator({ errorRate: 2 })).rejects.toThrow(
      new EmulatorOptionError('errorRate: expected a number in [0, 1], got 2'),
    );
    expect(() => emu.setOptions({ latencyMs: [50, 10] })).toThrow(EmulatorOptionError);
  });
});
