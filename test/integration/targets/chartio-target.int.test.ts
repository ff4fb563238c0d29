import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createChartioEmulator, type ChartioEmulator } from '../../../src/emulators/chartio/index.js';
import { ChartioTarget } from '../../../src/targets/chartio/index.js';
import { ChartioClient } from '../../../src/targets/chartio/client.js';
import {
  ConfigError,
  TargetHttpError,
  TargetNetworkError,
  TargetReadIncompleteError,
} from '../../../src/errors/index.js';
import type { IdResolver } from '../../../src/targets/target.js';

const SECRET = 'target-test-secret-value';
let emu: ChartioEmulator;

const targetFor = (
  e: ChartioEmulator,
  over: Partial<{ timeoutMs: number; readAttempts: number; apiSecret: string }> = {},
) =>
  new ChartioTarget(
    {
      kind: 'chartio',
      baseUrl: `${e.url}/v1`,
      org: 'acme',
      apiKey: 'key',
      apiSecret: over.apiSecret ?? SECRET,
      timeoutMs: over.timeoutMs ?? 5000,
      rateLimit: { max: 5000, duration: 300_000, headroom: 0.95 },
    },
    { readAttempts: over.readAttempts ?? 5, backoffMs: 20 },
  );

const noIds: IdResolver = { teamId: async () => undefined, userId: async () => undefined };

beforeAll(async () => {
  emu = await createChartioEmulator({ org: 'acme', apiKey: 'key', apiSecret: SECRET, rateLimit: false });
});
afterAll(() => emu.close());
afterEach(() => {
  emu.setOptions({ rateLimit: false, errorRate: 0, latencyMs: 0, resetRate: 0, appliedButErrorRate: 0 });
  emu.reset();
});

describe('reading the target', () => {
  it('costs exactly ceil(U/100) + ceil(T/100) GETs and reads everything', async () => {
    // 2,999 users + the owner, 1,249 teams + Owners: ceil(3000/100) + ceil(1250/100) = 30 + 13.
    const teams = Array.from({ length: 1249 }, (_, i) => `team-${i}`);
    emu.preload({
      users: Array.from({ length: 2999 }, (_, i) => ({
        email: `u${i}@acme.com`,
        teams: [teams[i % teams.length]!, teams[(i * 7) % teams.length]!],
      })),
    });
    const before = emu.requestLog.length;

    const { actual, requests } = await targetFor(emu).read();

    const gets = emu.requestLog.slice(before).filter((r) => r.method === 'GET');
    expect(requests).toBe(43);
    expect(gets).toHaveLength(43);
    expect(actual.users).toHaveLength(3000);
    expect(actual.teams).toHaveLength(1250);
    const dump = emu.dump();
    const members = actual.teams.reduce((n, t) => n + t.memberIds.length, 0);
    expect(members).toBe(dump.teams.reduce((n, t) => n + t.members.length, 0));
    expect(actual.teams.filter((t) => t.keepsMember).map((t) => t.name)).toEqual(['Owners']);
  });

  it('fails a read whose items do not add up to the API count', async () => {
    const liar = createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      const body = req.url!.includes('/users')
        ? {
            count: 3,
            _links: { self: { href: '/acme/users/' } },
            users: [{ id: 1, email: 'a@x', display_name: 'a', _embedded: { teams: [] } }],
          }
        : { count: 0, _links: { self: { href: '/acme/teams/' } }, teams: [] };
      res.end(JSON.stringify(body));
    });
    await new Promise<void>((r) => liar.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(liar.address() as AddressInfo).port}`;
    try {
      const target = new ChartioTarget({
        kind: 'chartio',
        baseUrl: `${url}/v1`,
        org: 'acme',
        apiKey: 'k',
        apiSecret: 's',
        timeoutMs: 2000,
        rateLimit: { max: 1, duration: 1, headroom: 1 },
      });
      await expect(target.read()).rejects.toBeInstanceOf(TargetReadIncompleteError);
    } finally {
      liar.close();
    }
  });

  it('follows HAL next links whatever their prefix', async () => {
    const prefixed = await createChartioEmulator({
      org: 'acme',
      apiKey: 'key',
      apiSecret: SECRET,
      rateLimit: false,
      hrefBase: '/v1',
    });
    try {
      prefixed.preload({ users: Array.from({ length: 250 }, (_, i) => ({ email: `p${i}@acme.com`, teams: ['T'] })) });
      const { actual, requests } = await targetFor(prefixed).read();
      expect(actual.users).toHaveLength(251);
      expect(requests).toBe(4);
    } finally {
      await prefixed.close();
    }
  });

  it('waits out 429 Retry-After and then completes', async () => {
    emu.preload({ users: Array.from({ length: 450 }, (_, i) => ({ email: `r${i}@acme.com`, teams: ['T'] })) });
    emu.setOptions({ rateLimit: { max: 4, windowMs: 1000 } });
    const { actual } = await targetFor(emu).read();
    expect(actual.users).toHaveLength(451);
    expect(emu.stats().rateLimited).toBeGreaterThan(0);
    const retryAfter = emu.requestLog.filter((r) => r.status === 429);
    expect(retryAfter.length).toBe(emu.stats().rateLimited);
  });

  it('retries 5xx answers and connection resets on reads', async () => {
    emu.preload({ users: Array.from({ length: 900 }, (_, i) => ({ email: `f${i}@acme.com`, teams: ['T'] })) });
    emu.setOptions({ errorRate: 0.3, resetRate: 0.1, seed: 7 });
    const { actual } = await targetFor(emu, { readAttempts: 10 }).read();
    expect(actual.users).toHaveLength(901);
    expect(emu.stats().injected5xx + emu.stats().resets).toBeGreaterThan(0);
  });

  it('gives up after the read attempts with a typed 5xx error', async () => {
    emu.setOptions({ errorRate: 1 });
    const err = await targetFor(emu, { readAttempts: 2 })
      .read()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TargetHttpError);
    expect((err as TargetHttpError).status).toBeGreaterThanOrEqual(500);
  });

  it('times out a slow answer as a network error', async () => {
    emu.setOptions({ latencyMs: 500 });
    const err = await targetFor(emu, { timeoutMs: 100, readAttempts: 1 })
      .read()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TargetNetworkError);
    expect((err as TargetNetworkError).code).toBe('TIMEOUT');
  });
});

describe('errors and safety of the client', () => {
  it('reports 401 as a config error naming the keys, with the API message and the request, never the secret', async () => {
    const err = await targetFor(emu, { apiSecret: 'wrong-secret-xyz' })
      .check()
      .catch((e: unknown) => e);
    // A refused credential is the config's to fix (exit 78); the target's answer is its cause.
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toMatch(/^target\.apiKey \/ target\.apiSecret: the target refused /);
    expect(JSON.stringify({ message: (err as ConfigError).message })).not.toMatch(
      /wrong-secret-xyz|target-test-secret/,
    );
    const e = (err as ConfigError).cause as TargetHttpError;
    expect(e).toBeInstanceOf(TargetHttpError);
    expect(e.status).toBe(401);
    expect(e.request).toEqual({ method: 'GET', path: '/v1/acme/' });
    expect(e.apiMessage.length).toBeGreaterThan(0);
    expect(JSON.stringify({ ...e, message: e.message })).not.toMatch(/wrong-secret-xyz|target-test-secret/);
  });

  it('requires https except on loopback', () => {
    const make = (baseUrl: string) => () =>
      new ChartioClient({ baseUrl, org: 'o', apiKey: 'k', apiSecret: 's', timeoutMs: 1000 });
    expect(make('http://api.chartio.com/v1')).toThrow(ConfigError);
    expect(make('https://api.chartio.com/v1')).not.toThrow();
    expect(make('http://127.0.0.1:9/v1')).not.toThrow();
    expect(make('http://localhost:9/v1')).not.toThrow();
  });
});

describe('applying ops idempotently', () => {
  it('treats 409 on create and add, and 404 on remove and delete, as already done', async () => {
    const target = targetFor(emu);
    const created = await target.apply(
      { kind: 'createTeam', key: 'k1', team: { name: 'Sales' }, teamKey: 'name:Sales', reason: '', dependsOn: [] },
      noIds,
    );
    expect(created.status).toBe('applied');
    const again = await target.apply(
      { kind: 'createTeam', key: 'k1', team: { name: 'Sales' }, teamKey: 'name:Sales', reason: '', dependsOn: [] },
      noIds,
    );
    expect(again).toMatchObject({ status: 'already-done', createdId: created.createdId });

    const team = { id: created.createdId!, name: 'Sales' };
    const user = await target.apply(
      {
        kind: 'createUser',
        key: 'k2',
        user: { email: 'new@acme.com' },
        displayName: 'New',
        team,
        reason: '',
        dependsOn: [],
      },
      noIds,
    );
    expect(user.status).toBe('applied');
    const userAgain = await target.apply(
      {
        kind: 'createUser',
        key: 'k2',
        user: { email: 'new@acme.com' },
        displayName: 'New',
        team,
        reason: '',
        dependsOn: [],
      },
      noIds,
    );
    expect(userAgain).toMatchObject({ status: 'already-done', createdId: user.createdId });

    const add = {
      kind: 'addMember' as const,
      key: 'k3',
      user: { id: user.createdId!, email: 'new@acme.com' },
      team: { name: 'Owners', id: String(emu.dump().teams.find((t) => t.isOwner)!.id) },
      reason: '',
      dependsOn: [],
    };
    expect((await target.apply(add, noIds)).status).toBe('applied');
    expect((await target.apply(add, noIds)).status).toBe('already-done');

    const remove = {
      kind: 'removeMember' as const,
      key: 'k4',
      user: { id: user.createdId!, email: 'new@acme.com' },
      team: { id: add.team.id, name: 'Owners' },
      reason: '',
      dependsOn: [],
    };
    expect((await target.apply(remove, noIds)).status).toBe('applied');
    expect((await target.apply(remove, noIds)).status).toBe('already-done');

    const del = {
      kind: 'deleteUser' as const,
      key: 'k5',
      user: { id: user.createdId!, email: 'new@acme.com' },
      reason: '',
      dependsOn: [],
    };
    expect((await target.apply(del, noIds)).status).toBe('applied');
    expect((await target.apply(del, noIds)).status).toBe('already-done');
  });

  it('resolves a team created earlier in the run through the id resolver', async () => {
    const target = targetFor(emu);
    const created = await target.apply(
      { kind: 'createTeam', key: 'a', team: { name: 'Data' }, teamKey: 'name:Data', reason: '', dependsOn: [] },
      noIds,
    );
    const ids: IdResolver = {
      teamId: async (team) => (team.name === 'Data' ? created.createdId : undefined),
      userId: async () => undefined,
    };
    const out = await target.apply(
      {
        kind: 'createUser',
        key: 'b',
        user: { email: 'd@acme.com' },
        displayName: 'D',
        team: { name: 'Data' },
        reason: '',
        dependsOn: [],
      },
      ids,
    );
    expect(out.status).toBe('applied');
    expect(emu.dump().users.find((u) => u.email === 'd@acme.com')?.teams).toEqual(['Data']);
  });

  it('fails other 4xx with the API message', async () => {
    const target = targetFor(emu);
    const err = await target
      .apply(
        {
          kind: 'createUser',
          key: 'x',
          user: { email: 'x@acme.com' },
          displayName: 'X',
          team: { id: '99999', name: 'Nope' },
          reason: '',
          dependsOn: [],
        },
        noIds,
      )
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TargetHttpError);
    expect((err as TargetHttpError).status).toBe(400);
  });
});
