import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { silentLogger } from '../../../src/log/logger.js';
import type { Snapshot } from '../../../src/model/index.js';
import { GraphHttp } from '../../../src/sources/entra/graph-http.js';
import { EntraSource } from '../../../src/sources/entra/index.js';
import { entraSourceSchema } from '../../../src/sources/entra/schema.js';
import type { SourceRead } from '../../../src/sources/source.js';
import { startFakeGraph, type FakeGraph } from '../../support/fake-graph/server.js';

/**
 * Entra object ids are GUIDs, compared without case; Graph answers in lower case. A profile listing
 * its groups in capitals (as copied from some tools) must read exactly what the same profile in
 * lower case reads, on a full read and on every delta after it.
 */
const tls = inject('tls');
let graph: FakeGraph;
let redis: Redis;

/** Graph's spelling: lower case. */
const id = (n: number) => `6f1eabcd-0b1f-4c3a-9a55-2f1d8c6b7e${n.toString(16).padStart(2, '0')}`;
const [A, B, C, D, E, F] = [1, 2, 3, 4, 5, 6].map(id) as [string, string, string, string, string, string];
const listed = [A, B, C, D, E];

/** bi-a > bi-b > bi-c, bi-d, bi-e: all five configured by id. */
function seed(g: FakeGraph): void {
  const d = g.dir;
  for (let i = 0; i < 12; i++)
    d.addUser({ id: `u${i}`, displayName: `U${i}`, mail: `u${i}@x.test`, userPrincipalName: `u${i}@x.test` });
  d.addGroup(C, 'bi-c', ['u3']);
  d.addGroup(B, 'bi-b', ['u2', C]);
  d.addGroup(A, 'bi-a', ['u0', 'u1', B]);
  d.addGroup(D, 'bi-d', ['u4', 'u5']);
  d.addGroup(E, 'bi-e', ['u6']);
}

/** A day: bi-c re-parented from bi-b to bi-d, u2 moved up to bi-a, bi-a renamed, bi-e deleted, a new unlisted group inside bi-a, a hire in bi-c. */
function churn(g: FakeGraph): void {
  const d = g.dir;
  d.removeMember(B, C);
  d.addMember(D, C);
  d.removeMember(B, 'u2');
  d.addMember(A, 'u2');
  d.renameGroup(A, 'bi-a2');
  d.removeGroup(E);
  d.addGroup(F, 'x-f', ['u8']);
  d.addMember(A, F);
  d.addUser({ id: 'h1', displayName: 'H1', mail: 'h1@x.test', userPrincipalName: 'h1@x.test' });
  d.addMember(C, 'h1');
}

/** Order-free form of a snapshot. */
function normal(s: Snapshot) {
  return {
    people: Object.fromEntries(s.people.map((p) => [p.sourceId, [...p.groupIds].sort()])),
    groups: Object.fromEntries(s.groups.map((g) => [g.sourceId, { name: g.name, parents: [...g.parentIds].sort() }])),
    issues: s.issues.map((i) => `${i.where}: ${i.reason}`).sort(),
  };
}

beforeAll(() => {
  redis = new Redis(inject('redisUrl'));
});
afterAll(async () => {
  await redis.quit();
});
beforeEach(async () => {
  graph = await startFakeGraph({ tenantId: 't', clientId: 'c', clientSecret: 's', cert: tls.cert, key: tls.key });
  seed(graph);
});
afterEach(async () => {
  await graph.close();
});

describe.each([
  ['with nesting', true],
  ['transitive', false],
])('groups.ids in capitals read as in lower case (%s)', (_name, nesting) => {
  it('full read, then a delta read after a day of churn: the same state and the same Graph calls', async () => {
    const run = `entra-idcase-${process.pid}-${Date.now()}-${String(nesting)}`;
    const profile = (ids: string[], keyPrefix: string) =>
      new EntraSource(
        entraSourceSchema.parse({
          kind: 'entra',
          tenantId: 't',
          clientId: 'c',
          clientSecret: 's',
          authorityHost: graph.url,
          graphBaseUrl: graph.url,
          groups: { ids, nesting },
          retryBaseMs: 10,
          maxRetries: 0,
        }),
        { log: silentLogger, baseDir: '/', profile: 'case', redis, keyPrefix },
      );
    const upper = profile(
      listed.map((g) => g.toUpperCase()),
      `${run}-upper:`,
    );
    const lower = profile(listed, `${run}-lower:`);
    /** One read of a profile, with the Graph calls it made (paths without the query). */
    const read = async (s: EntraSource, mode: 'full' | 'incremental', cursor?: string) => {
      const before = graph.graphCalls().length;
      const r: SourceRead = await s.read({ mode, ...(cursor ? { cursor } : {}) });
      const calls = graph
        .graphCalls()
        .slice(before)
        .map((c) => c.path.split('?')[0]!)
        .sort();
      return { r, calls };
    };
    try {
      const [u1, l1] = [await read(upper, 'full'), await read(lower, 'full')];
      expect(normal(u1.r.snapshot)).toEqual(normal(l1.r.snapshot));
      expect(Object.keys(normal(u1.r.snapshot).groups).sort()).toEqual([...listed].sort());
      expect(u1.calls).toEqual(l1.calls);

      churn(graph);
      const [u2, l2] = [
        await read(upper, 'incremental', u1.r.nextCursor),
        await read(lower, 'incremental', l1.r.nextCursor),
      ];
      expect(u2.r.mode).toBe('incremental');
      expect(l2.r.mode).toBe('incremental');
      expect(normal(u2.r.snapshot)).toEqual(normal(l2.r.snapshot));
      // No group dropped and looked up again because its id is spelt otherwise: the same calls.
      expect(u2.calls).toEqual(l2.calls);
      expect(u2.calls.some((p) => p === '/v1.0/groups')).toBe(false);
      const s = normal(u2.r.snapshot);
      expect(s.groups[A]).toEqual({ name: 'bi-a2', parents: [] });
      expect(s.people.u2).toEqual([A]);
      expect(s.people.h1).toEqual(nesting ? [C] : [C, D].sort());
      expect(s.people.u8).toEqual([A]);
      expect(s.people.u6).toBeUndefined();
      if (nesting) expect(s.groups[C]!.parents).toEqual([D]);
      // The deleted group is a vanished group, named by its key, not an unknown id.
      expect(s.issues).toEqual([`groups.ids[4]: no group with id ${E} in the tenant (deleted?): left out`]);

      // A full read of the same profiles ends where the delta did.
      const [u3, l3] = [await read(upper, 'full'), await read(lower, 'full')];
      expect(normal(u3.r.snapshot)).toEqual(s);
      expect(normal(l3.r.snapshot)).toEqual(s);
    } finally {
      const keys = await redis.keys(`${run}-*`);
      if (keys.length > 0) await redis.del(...keys);
    }
  });
});

describe('the fake Graph compares object ids without case, as Graph does', () => {
  it('in a path and in $filter=id in (...), answering in its own spelling', async () => {
    const http = new GraphHttp(
      entraSourceSchema.parse({
        kind: 'entra',
        tenantId: 't',
        clientId: 'c',
        clientSecret: 's',
        authorityHost: graph.url,
        graphBaseUrl: graph.url,
        maxRetries: 0,
      }),
      silentLogger,
    );
    const path = encodeURIComponent(A.toUpperCase());
    expect(await http.get(`/groups/${path}?$select=id,displayName`)).toMatchObject({ id: A, displayName: 'bi-a' });
    const members = await http.get<{ value: { id: string }[] }>(`/groups/${path}/members/microsoft.graph.user`);
    expect(members.value.map((m) => m.id)).toEqual(['u0', 'u1']);
    const below = await http.get<{ value: { id: string }[] }>(`/groups/${path}/transitiveMembers`);
    expect(below.value.map((m) => m.id).sort()).toEqual([B, C, 'u0', 'u1', 'u2', 'u3'].sort());
    const found = await http.get<{ value: { id: string }[] }>(
      `/groups?$filter=${encodeURIComponent(`id in ('${A.toUpperCase()}')`)}`,
    );
    expect(found.value.map((g) => g.id)).toEqual([A]);
  });
});
