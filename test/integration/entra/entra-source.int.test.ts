import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { SourceReadError } from '../../../src/errors/index.js';
import { silentLogger } from '../../../src/log/logger.js';
import { EntraSource } from '../../../src/sources/entra/index.js';
import { entraSourceSchema } from '../../../src/sources/entra/schema.js';
import { startFakeGraph, type FakeGraph } from '../../support/fake-graph/server.js';

const SECRET = 'entra-client-secret-9c1';
const tls = inject('tls');
let graph: FakeGraph;
let redis: Redis;

const source = (over: Record<string, unknown> = {}, keyPrefix = `entra-${Date.now()}-${Math.random()}:`) =>
  new EntraSource(
    entraSourceSchema.parse({
      kind: 'entra',
      tenantId: 't1',
      clientId: 'c1',
      clientSecret: SECRET,
      authorityHost: graph.url,
      graphBaseUrl: graph.url,
      groups: { displayNamePrefix: 'rs-' },
      retryBaseMs: 10,
      ...over,
    }),
    { log: silentLogger, baseDir: '/', profile: 'entra', redis, keyPrefix },
  );

beforeAll(async () => {
  redis = new Redis(inject('redisUrl'));
  graph = await startFakeGraph({ tenantId: 't1', clientId: 'c1', clientSecret: SECRET, cert: tls.cert, key: tls.key });
  const d = graph.dir;
  for (let i = 0; i < 5200; i++)
    d.addUser({
      id: `u${i}`,
      displayName: `User ${i}`,
      mail: i % 10 === 9 ? null : `user${i}@corp.test`,
      userPrincipalName: `user${i}@corp.onmicrosoft.test`,
      accountEnabled: i % 100 !== 42,
    });
  d.addGroup('g-platform', 'rs-platform', ['u0', 'u1']);
  d.addGroup('g-eng', 'rs-engineering', ['g-platform', 'u2', 'u13']);
  d.addGroup(
    'g-big',
    'rs-big',
    Array.from({ length: 5000 }, (_, i) => `u${i}`),
  );
  d.addGroup('g-other', 'other-team', ['u5100']);
});
afterAll(async () => {
  await graph.close();
  await redis.quit();
});
beforeEach(() => {
  graph.faults.throttle = 0;
  graph.faults.failNext = 0;
  graph.faults.expiredBefore = 0;
});

describe('Entra source against a fake Graph over HTTPS', () => {
  it('reads the in-scope groups through transitiveMembers, every page of a 5,000-member group', async () => {
    const before = graph.graphCalls().length;
    const read = await source().read({ mode: 'full' });
    const snap = read.snapshot;
    expect(snap.groups.map((g) => g.name).sort()).toEqual(['rs-big', 'rs-engineering', 'rs-platform']);
    expect(snap.people.filter((p) => p.groupIds.includes('g-big'))).toHaveLength(5000);
    const u0 = snap.people.find((p) => p.sourceId === 'u0')!;
    expect(u0.groupIds.sort()).toEqual(['g-big', 'g-eng', 'g-platform']);
    expect(snap.people.find((p) => p.sourceId === 'u9')!.email).toBe('user9@corp.onmicrosoft.test');
    expect(snap.people.find((p) => p.sourceId === 'u42')!.enabled).toBe(false);
    expect(snap.people.some((p) => p.sourceId === 'u5100')).toBe(false);
    const calls = graph
      .graphCalls()
      .slice(before)
      .map((r) => r.path.split('?')[0]);
    // 2 delta links, 1 group list, 6 pages of rs-big (999 each), 1 page each for the other two:
    // 11 Graph calls in 9 HTTP requests (the three first pages in one $batch, then one per later page).
    expect(calls.filter((p) => p === '/v1.0/groups/g-big/transitiveMembers')).toHaveLength(6);
    expect(calls).toHaveLength(11);
    expect(read.requests).toBe(9);
  });

  it('pages /users with skip tokens when all users are in scope', async () => {
    const before = graph.graphRequests().length;
    const read = await source({ users: 'all' }).read({ mode: 'full' });
    expect(read.snapshot.people).toHaveLength(5200);
    expect(
      graph
        .graphRequests()
        .slice(before)
        .filter((r) => r.path.startsWith('/v1.0/users?')),
    ).toHaveLength(6);
  });

  it('a bad client secret is a clear error without the secret', async () => {
    const err = await source({ clientSecret: 'wrong-secret-77' })
      .read({ mode: 'full' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceReadError);
    expect((err as SourceReadError).code).toBe('SOURCE_AUTH_FAILED');
    expect((err as Error).message).toMatch(/AADSTS7000215/);
    expect((err as Error).message).not.toMatch(/wrong-secret-77|entra-client-secret/);
  });

  it('waits out a 429 burst (Retry-After) and completes', async () => {
    graph.faults.throttle = 3;
    const before = graph.log.length;
    const read = await source({ groups: { ids: ['g-eng'] } }).read({ mode: 'full' });
    expect(read.snapshot.people.map((p) => p.sourceId).sort()).toEqual(['u0', 'u1', 'u13', 'u2']);
    expect(graph.log.slice(before).filter((r) => r.status === 429)).toHaveLength(3);
  });

  it('a page that keeps failing fails the read: never a partial directory', async () => {
    graph.faults.failNext = 100;
    const err = await source({ maxRetries: 2 })
      .read({ mode: 'full' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceReadError);
    expect((err as Error).message).toMatch(/503/);
  });

  it('delta rounds apply additions, changes, removals and member changes onto the kept directory', async () => {
    const prefix = `entra-delta-${Date.now()}:`;
    const s = source({ groups: { displayNamePrefix: 'rs-e' } }, prefix);
    const full = await s.read({ mode: 'full' });
    expect(full.snapshot.people.map((p) => p.sourceId).sort()).toEqual(['u0', 'u1', 'u13', 'u2']);

    graph.dir.addUser({
      id: 'new1',
      displayName: 'New Hire',
      mail: 'new1@corp.test',
      userPrincipalName: 'new1@corp.onmicrosoft.test',
    });
    graph.dir.addMember('g-platform', 'new1'); // nested: reaches rs-engineering through rs-platform
    graph.dir.updateUser('u2', { displayName: 'Renamed Two' });
    graph.dir.removeMember('g-eng', 'u13');
    graph.dir.removeUser('u1');
    const before = graph.graphRequests().length;
    const inc = await s.read({ mode: 'incremental', cursor: full.nextCursor! });
    expect(inc.mode).toBe('incremental');
    const people = new Map(inc.snapshot.people.map((p) => [p.sourceId, p]));
    expect([...people.keys()].sort()).toEqual(['new1', 'u0', 'u2']);
    expect(people.get('new1')!.groupIds).toEqual(['g-eng']);
    expect(people.get('u2')!.displayName).toBe('Renamed Two');
    const paths = graph
      .graphRequests()
      .slice(before)
      .map((r) => r.path.split('?')[0]!);
    expect(paths).toContain('/v1.0/users/delta');
    expect(paths).toContain('/v1.0/groups/delta');
    expect(paths).not.toContain('/v1.0/groups');
  });

  it('an expired delta token falls back to a full read', async () => {
    const prefix = `entra-exp-${Date.now()}:`;
    const s = source({ groups: { ids: ['g-platform'] } }, prefix);
    const full = await s.read({ mode: 'full' });
    graph.faults.expiredBefore = Number.MAX_SAFE_INTEGER;
    const again = await s.read({ mode: 'incremental', cursor: full.nextCursor! });
    expect(again.mode).toBe('full');
    expect(again.snapshot.people.map((p) => p.sourceId).sort()).toEqual(['new1', 'u0']);
  });
});
