import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Op, Plan } from '../../../src/model/index.js';
import { budgetKey, profileKeys, queuePrefix } from '../../../src/store/keys.js';
import type { RunRecord } from '../../../src/store/run-record.js';
import { Store } from '../../../src/store/store.js';
import { StoreError } from '../../../src/store/store-error.js';

const redisUrl = inject('redisUrl');
let redis: Redis;
let prefix: string;

beforeAll(() => {
  redis = new Redis(redisUrl);
});
afterAll(() => redis.quit());
afterEach(async () => {
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
});

const fresh = (keepRuns = 50) => {
  prefix = `st-${randomBytes(4).toString('hex')}`;
  return new Store(redis, prefix, 'hr', keepRuns);
};
const hashTag = (key: string) => /\{([^}]*)\}/.exec(key)?.[1];
const record = (runId: string, startedAt: string, over: Partial<RunRecord> = {}): RunRecord => ({
  runId,
  profile: 'hr',
  trigger: 'backfill',
  mode: 'full',
  status: 'running',
  startedAt,
  planned: {},
  totalOps: 0,
  warnings: 0,
  ...over,
});
const createUser = (sourceId: string): Op => ({
  kind: 'createUser',
  key: `create.${sourceId}`,
  reason: 'new',
  dependsOn: [],
  user: { sourceId, email: `${sourceId}@x.com` },
  displayName: sourceId,
  team: { id: '7', name: 'eng' },
});

const planOf = (id: string, phases: Op[][]): Plan => ({
  id,
  createdAt: '2026-01-01T00:00:00.000Z',
  phases,
  counts: {} as Plan['counts'],
  warnings: [],
  estimate: { writes: phases.flat().length, reads: 1, ratePerSecond: 10, etaSeconds: 1 },
  stats: { desiredPeople: 0, desiredTeams: 0, targetUsers: 0, targetTeams: 0, usersInScope: 0, deletions: 0 },
});

/** Commands this client sends while `act` runs, as the server saw them (MONITOR). */
async function commandsSent(client: Redis, act: () => Promise<unknown>): Promise<string[][]> {
  const addr = /addr=(\S+)/.exec(String(await client.call('CLIENT', 'INFO')))![1]!;
  const monitor = await client.duplicate().monitor();
  const seen: string[][] = [];
  const marker = `end-${randomBytes(4).toString('hex')}`;
  const done = new Promise<void>((resolve) =>
    monitor.on('monitor', (_t: string, args: string[], source: string) => {
      if (source !== addr) return;
      if (args[0]?.toLowerCase() === 'echo' && args[1] === marker) resolve();
      else seen.push(args);
    }),
  );
  await act();
  await client.echo(marker);
  await done;
  monitor.disconnect();
  return seen;
}

describe('key scheme', () => {
  it('puts every key of a profile in one hash slot, and each profile in its own', () => {
    const hr = profileKeys('acme', 'hr');
    const sales = profileKeys('acme', 'sales');
    const run = hr.run('r1');
    const all = [
      hr.userLinks,
      hr.teamLinks,
      hr.granted,
      hr.tombstones,
      hr.cursor,
      hr.lastSourceSize,
      hr.runs,
      hr.lock,
      ...Object.values(run),
    ];

    expect(new Set(all.map(hashTag))).toEqual(new Set(['acme:hr']));
    expect(all.every((k) => k.startsWith('acme:'))).toBe(true);
    expect(hashTag(sales.userLinks)).toBe('acme:sales');
    expect(hashTag(budgetKey('acme', 'api.chartio.com'))).toBe('acme:budget');
    expect(hashTag(`${queuePrefix('acme')}:ops:wait`)).toBe('acme:queue');
  });
});

describe('links', () => {
  it('saves 10,000 user links and 2,000 team links in one MULTI of a dozen HSETs', async () => {
    const store = fresh();
    const users = Array.from({ length: 10_000 }, (_, i): [string, string] => [`src-${i}`, String(1000 + i)]);
    const teams = Array.from({ length: 2_000 }, (_, i): [string, string] => [`group-${i}`, String(50 + i)]);

    const sent = await commandsSent(redis, () => store.links.save({ users, teams }));

    const names = sent.map((c) => c[0]!.toLowerCase());
    expect(names.filter((n) => n === 'hset')).toHaveLength(12);
    expect(names.filter((n) => n === 'exec')).toHaveLength(1);
    const links = await store.links.load();
    expect(links.users.size).toBe(10_000);
    expect(links.users.get('src-9999')).toBe('10999');
    expect(links.teams.get('group-1999')).toBe('2049');
    expect(await store.links.userId('src-42')).toBe('1042');
  });

  it('planState reads links, granted memberships, tombstones, cursor and source size together', async () => {
    const store = fresh();
    await store.saveObservations(
      {
        userLinks: [['a', '1']],
        teamLinks: [['g', '9']],
        newlyAbsent: ['5'],
        reappeared: [],
        teamGroups: [['g', 'Engineering']],
      },
      1000,
    );
    await store.links.save({ granted: ['1|9'] });
    await store.setLastSourceSize(120);
    await store.stageCursor('r1', 'delta-1');
    await store.commitCursor('r1');

    const state = await store.planState();

    expect([...state.links.users]).toEqual([['a', '1']]);
    expect([...state.links.teams]).toEqual([['g', '9']]);
    expect([...state.links.granted]).toEqual(['1|9']);
    expect([...state.links.teamGroups!]).toEqual([['g', 'Engineering']]);
    expect([...state.tombstones]).toEqual([['5', 1000]]);
    expect(state.lastSourceSize).toBe(120);
    expect(state.cursor).toBe('delta-1');
  });
});

describe('tombstones', () => {
  it('keep the first time a user was seen absent, and are cleared when the person reappears', async () => {
    const store = fresh();
    await store.tombstones.update({ absent: ['u1', 'u2'] }, 1_000);
    await store.tombstones.update({ absent: ['u1'] }, 5_000);
    expect(await store.tombstones.load()).toEqual(
      new Map([
        ['u1', 1_000],
        ['u2', 1_000],
      ]),
    );

    await store.tombstones.update({ reappeared: ['u2'] }, 6_000);

    expect(await store.tombstones.load()).toEqual(new Map([['u1', 1_000]]));
  });
});

describe('cursors', () => {
  it('commits a staged cursor only for its own run, once', async () => {
    const store = fresh();
    await store.stageCursor('good', 'delta-2');
    await store.stageCursor('failed', 'delta-3');
    expect(await store.cursors.committed()).toBeUndefined();

    expect(await store.commitCursor('good')).toBe(true);
    expect(await store.commitCursor('good')).toBe(false);
    expect(await store.commitCursor('never-staged')).toBe(false);

    // The failed run's cursor is never committed: the next read starts from the good one.
    expect(await store.cursors.committed()).toBe('delta-2');
    expect(await redis.ttl(store.keys.run('failed').pendingCursor)).toBeGreaterThan(0);
  });

  it('keeps the last good source size', async () => {
    const store = fresh();
    expect(await store.cursors.lastSourceSize()).toBeUndefined();
    await store.setLastSourceSize(9_500);
    expect((await store.planState()).lastSourceSize).toBe(9_500);
  });
});

describe('runs', () => {
  it('keep the last N records, newest first, and delete the keys of older ones', async () => {
    const store = fresh(3);
    for (let i = 1; i <= 5; i++)
      await store.startRun(
        record(`r${i}`, `2026-01-0${i}T00:00:00Z`, { status: 'succeeded' }),
        planOf(`p${i}`, [[createUser(`u${i}`)]]),
      );

    const runs = await store.listRuns(10);

    expect(runs.map((r) => r.runId)).toEqual(['r5', 'r4', 'r3']);
    expect(
      await redis.exists(
        store.keys.run('r1').record,
        store.keys.run('r1').plan,
        store.keys.run('r1').planOps,
        store.keys.run('r2').record,
      ),
    ).toBe(0);
    expect((await store.plan('r5'))?.id).toBe('p5');
  });

  it('store a 20,001-op plan in chunks (no command near its size) and read it back exactly, phases and all', async () => {
    const store = fresh();
    const ops = Array.from({ length: 20_001 }, (_, i) => createUser(`person-${i}`));
    const plan = planOf('pbig', [ops.slice(0, 1), [], ops.slice(1, 15_000), ops.slice(15_000)]);

    const sent = await commandsSent(redis, () => store.startRun(record('big', '2026-02-01T00:00:00Z'), plan));

    expect(await store.plan('big')).toEqual(plan);
    const whole = JSON.stringify(plan).length;
    const largest = Math.max(...sent.flatMap((args) => args.map((a) => a.length)));
    expect(largest).toBeLessThan(whole / 8);
    expect(JSON.parse((await redis.get(store.keys.run('big').plan))!).phases).toEqual([1, 0, 14_999, 5001]);
    // The record and the plan's head go last, together: a run is never seen with part of its plan.
    const last = sent.filter((args) => ['set', 'zadd'].includes(args[0]!.toLowerCase()));
    expect(sent.indexOf(last[0]!)).toBeGreaterThan(sent.findLastIndex((args) => args[0]!.toLowerCase() === 'rpush'));
  });

  it('read a plan stored whole by an earlier version', async () => {
    const store = fresh();
    await store.startRun(record('old', '2026-01-01T00:00:00Z'));
    const plan = planOf('pold', [[createUser('a')], [createUser('b')]]);
    await redis.set(store.keys.run('old').plan, JSON.stringify(plan));
    expect(await store.plan('old')).toEqual(plan);
  });

  it("keep what the run's target read learned beside its plan, for any process; none for a run stored without it", async () => {
    const store = fresh();
    const learned = { orgNames: { '1': 'Main Org.' }, roles: ['Admin', 'User'] };
    await store.startRun(record('taught', '2026-01-01T00:00:00Z'), planOf('pt', [[createUser('a')]]), learned);
    await store.startRun(record('plain', '2026-01-02T00:00:00Z'), planOf('pp', [[createUser('b')]]));

    const other = new Store(redis, prefix, 'hr');
    expect(await other.learned('taught')).toEqual(learned);
    expect(await other.learned('plain')).toBeUndefined();
  });

  it('refuse a plan whose ops were cut short, naming the run', async () => {
    const store = fresh();
    await store.startRun(record('cut', '2026-01-01T00:00:00Z'), planOf('pcut', [[createUser('a'), createUser('b')]]));
    await redis.del(store.keys.run('cut').planOps);
    await expect(store.plan('cut')).rejects.toThrow(/run cut has 0 ops of 2/);
  });

  it('update a record, find the unfinished one, and refuse an unknown run', async () => {
    const store = fresh();
    await store.startRun(record('old', '2026-01-01T00:00:00Z', { status: 'succeeded' }));
    await store.startRun(record('live', '2026-01-02T00:00:00Z'));
    expect((await store.unfinishedRun())?.runId).toBe('live');

    const next = await store.updateRun('live', {
      status: 'partial',
      finishedAt: '2026-01-02T00:10:00Z',
      timings: { applyMs: 5 },
    });

    expect(next).toMatchObject({ runId: 'live', status: 'partial', timings: { applyMs: 5 } });
    expect(await store.unfinishedRun()).toBeUndefined();
    await expect(store.updateRun('nope', {})).rejects.toBeInstanceOf(StoreError);
  });
});

describe('op outcomes', () => {
  it('count an op once however often it is recorded, by kind x outcome and phase', async () => {
    const store = fresh();
    await store.startRun(record('r', '2026-01-01T00:00:00Z'));
    const op = createUser('alice');

    const firsts = await Promise.all(
      Array.from({ length: 20 }, () =>
        store.recordOutcome('r', { op, outcome: 'applied', createdId: '11', teamId: '7' }),
      ),
    );

    expect(firsts.filter(Boolean)).toHaveLength(1);
    const run = await store.getRun('r');
    expect(run!.counts).toEqual({ 'createUser.applied': 1, done: 1, 'phase.2': 1 });
    expect(await store.phaseDone('r', 2)).toBe(1);
    expect(await store.outcomes('r', [op.key, 'missing'])).toEqual(['applied', undefined]);
  });

  it('a created user is linked and its membership recorded as granted; a deleted one is unlinked and its tombstone cleared', async () => {
    const store = fresh();
    await store.recordOutcome('r', { op: createUser('bob'), outcome: 'applied', createdId: '12', teamId: '7' });
    await store.tombstones.update({ absent: ['12'] }, 1);

    await store.recordOutcome('r', {
      op: {
        kind: 'deleteUser',
        key: 'user-delete.12',
        reason: 'gone',
        dependsOn: [],
        user: { id: '12', sourceId: 'bob', email: 'bob@x.com' },
      },
      outcome: 'applied',
    });

    expect(await store.createdUserId('r', 'bob')).toBe('12');
    expect((await store.links.load()).granted).toEqual(new Set(['12|7']));
    expect(await store.links.userId('bob')).toBeUndefined();
    expect((await store.tombstones.load()).size).toBe(0);
  });

  it('a failed op keeps its reason and the op in words, and links nothing', async () => {
    const store = fresh();
    await store.startRun(record('r', '2026-01-01T00:00:00Z'));

    await store.recordOutcome('r', {
      op: createUser('carol'),
      outcome: 'failed',
      detail: 'POST /v1/acme/users -> 400: email is invalid',
      createdId: '13',
    });

    const run = await store.getRun('r');
    expect(run!.counts['createUser.failed']).toBe(1);
    expect(run!.failures).toEqual([
      {
        opKey: 'create.carol',
        what: 'create user carol@x.com on "eng"',
        reason: 'POST /v1/acme/users -> 400: email is invalid',
      },
    ]);
    expect(await store.links.userId('carol')).toBeUndefined();
  });
});

describe('run lock', () => {
  it('is held by one owner, renewed and released only by it', async () => {
    const store = fresh();
    expect(await store.acquireLock('a', 10_000)).toBe(true);
    expect(await store.acquireLock('b', 10_000)).toBe(false);
    expect(await store.renewLock('b', 10_000)).toBe(false);
    expect(await store.renewLock('a', 20_000)).toBe(true);

    await store.releaseLock('b');
    expect(await store.acquireLock('b', 10_000)).toBe(false);
    await store.releaseLock('a');
    expect(await store.acquireLock('b', 10_000)).toBe(true);
  });
});
