import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { mappingSchema } from '../../../src/config/schema.js';
import { ConfigError, SourceReadError } from '../../../src/errors/index.js';
import { silentLogger } from '../../../src/log/logger.js';
import { mapDirectory } from '../../../src/mapping/index.js';
import type { Snapshot } from '../../../src/model/index.js';
import { EntraSource } from '../../../src/sources/entra/index.js';
import { entraSourceSchema } from '../../../src/sources/entra/schema.js';
import type { SourceDeps } from '../../../src/sources/source.js';
import { startFakeGraph, type FakeGraph } from '../../support/fake-graph/server.js';

const tls = inject('tls');
let graph: FakeGraph;
let redis: Redis;

const source = (groups: Record<string, unknown>, deps: Partial<SourceDeps> = {}) =>
  new EntraSource(
    entraSourceSchema.parse({
      kind: 'entra',
      tenantId: 't',
      clientId: 'c',
      clientSecret: 's',
      authorityHost: graph.url,
      graphBaseUrl: graph.url,
      groups,
      retryBaseMs: 10,
      maxRetries: 0,
    }),
    { log: silentLogger, baseDir: '/', profile: 'nest', ...deps },
  );

/** Order-free form of a snapshot. */
function normal(s: Snapshot) {
  return {
    people: Object.fromEntries(s.people.map((p) => [p.sourceId, [...p.groupIds].sort()])),
    groups: Object.fromEntries(s.groups.map((g) => [g.sourceId, { name: g.name, parents: [...g.parentIds].sort() }])),
    issues: s.issues.map((i) => `${i.where}: ${i.reason}`).sort(),
  };
}

/**
 * In scope (prefix n-): top > a > b, top > x-mid (outside) > c, cyc > x-loop1 <> x-loop2 (a cycle
 * outside the scope), p <> q (a cycle in scope). x-other is outside and below nothing in scope.
 */
function seed(g: FakeGraph): void {
  const d = g.dir;
  for (let i = 0; i < 20; i++)
    d.addUser({ id: `u${i}`, displayName: `U${i}`, mail: `u${i}@x.test`, userPrincipalName: `u${i}@x.test` });
  d.addGroup('b', 'n-b', ['u3']);
  d.addGroup('a', 'n-a', ['u1', 'u2', 'b']);
  d.addGroup('c', 'n-c', ['u5']);
  d.addGroup('mid-x', 'x-mid', ['u4', 'c']);
  d.addGroup('top', 'n-top', ['u0', 'a', 'mid-x']);
  d.addGroup('loop2', 'x-loop2', ['u7']);
  d.addGroup('loop1', 'x-loop1', ['loop2']);
  d.addMember('loop2', 'loop1');
  d.addGroup('cyc', 'n-cyc', ['u6', 'loop1']);
  d.addGroup('q', 'n-q', ['u8']);
  d.addGroup('p', 'n-p', ['q']);
  d.addMember('q', 'p');
  d.addGroup('other', 'x-other', ['u9']);
}

const LOOP_ISSUE =
  'groups: groups nest in a cycle through groups outside the scope (x-loop1 (loop1, outside the scope), x-loop2 (loop2, outside the scope)): not followed round; their members count in each in-scope group above them';

beforeAll(async () => {
  redis = new Redis(inject('redisUrl'));
  graph = await startFakeGraph({ tenantId: 't', clientId: 'c', clientSecret: 's', cert: tls.cert, key: tls.key });
  seed(graph);
});
afterAll(async () => {
  await graph.close();
  await redis.quit();
});
beforeEach(() => {
  graph.faults.gone = undefined;
  graph.faults.badRequest = undefined;
});

const pathsSince = (n: number) =>
  graph
    .graphCalls()
    .slice(n)
    .map((r) => decodeURIComponent(r.path.split('?')[0]!));

describe('Entra nesting: direct members, people and groups apart', () => {
  it('gives groups their parents and people their own groups; groups outside the scope pass theirs up', async () => {
    const before = graph.graphCalls().length;
    const read = await source({ displayNamePrefix: 'n-' }, { nesting: true }).read({ mode: 'full' });
    expect(normal(read.snapshot)).toEqual({
      people: {
        u0: ['top'],
        u1: ['a'],
        u2: ['a'],
        u3: ['b'],
        u4: ['top'],
        u5: ['c'],
        u6: ['cyc'],
        u7: ['cyc'],
        u8: ['q'],
      },
      groups: {
        top: { name: 'n-top', parents: [] },
        a: { name: 'n-a', parents: ['top'] },
        b: { name: 'n-b', parents: ['a'] },
        c: { name: 'n-c', parents: ['top'] },
        cyc: { name: 'n-cyc', parents: [] },
        p: { name: 'n-p', parents: ['q'] },
        q: { name: 'n-q', parents: ['p'] },
      },
      issues: [LOOP_ISSUE],
    });
    // Two requests a group read (the user and the group cast), the groups below the scope included, each once.
    const paths = pathsSince(before).filter((p) => p.includes('/members'));
    const read1 = ['top', 'a', 'b', 'c', 'mid-x', 'cyc', 'loop1', 'loop2', 'p', 'q'];
    expect(paths.sort()).toEqual(
      read1
        .flatMap((id) => [
          `/v1.0/groups/${id}/members/microsoft.graph.group`,
          `/v1.0/groups/${id}/members/microsoft.graph.user`,
        ])
        .sort(),
    );
    expect(pathsSince(before).some((p) => p.endsWith('/transitiveMembers'))).toBe(false);
    // The cycle in scope reaches the mapping, which reports it and does not walk it round.
    const desired = mapDirectory(read.snapshot, mappingSchema.parse({}), { units: 'groups', directMembership: true });
    expect(desired.warnings).toContainEqual(
      'group nesting cycle: n-p, n-q: members of any of them count as members of all (the cycle is not followed round)',
    );
  });

  it('without the need (or with groups.nesting: false), the cheaper transitive read stays', async () => {
    for (const [groups, deps] of [
      [{ displayNamePrefix: 'n-' }, {}],
      [{ displayNamePrefix: 'n-', nesting: false }, { nesting: true }],
    ] as const) {
      const before = graph.graphCalls().length;
      const read = await source(groups, deps).read({ mode: 'full' });
      expect(pathsSince(before).some((p) => p.includes('/members/'))).toBe(false);
      expect(normal(read.snapshot).people.u3).toEqual(['a', 'b', 'top']);
      expect(read.snapshot.groups.every((g) => g.parentIds.length === 0)).toBe(true);
    }
    // groups.nesting: true reads it whatever the target.
    const read = await source({ displayNamePrefix: 'n-', nesting: true }).read({ mode: 'full' });
    expect(normal(read.snapshot).groups.b!.parents).toEqual(['a']);
  });

  it('a group deleted while its members are read (404) fails the read, naming it', async () => {
    graph.faults.gone = /^\/groups\/mid-x\/members/;
    const err = await source({ displayNamePrefix: 'n-' }, { nesting: true })
      .read({ mode: 'full' })
      .then(
        () => undefined,
        (e: unknown) => e as SourceReadError,
      );
    expect(err).toBeInstanceOf(SourceReadError);
    expect(err!.message).toBe(
      'entra: group x-mid (mid-x) was deleted while its members were read (404): the next read takes the directory as it is then',
    );
  });

  it('configured ids: one never found stops the read naming its key; one deleted since the last read is reported by its key', async () => {
    const keyPrefix = `entra-nest-ids-${process.pid}-${Date.now()}:`;
    const deps = { nesting: true, redis, keyPrefix };
    try {
      const unknown = '11111111-2222-3333-4444-555555555555';
      const err = await source({ ids: ['top', unknown] }, deps)
        .read({ mode: 'full' })
        .then(
          () => undefined,
          (e: unknown) => e as ConfigError,
        );
      expect(err).toBeInstanceOf(ConfigError);
      expect(err!.message).toBe(
        `profiles.nest.source: no group with these ids in the tenant: groups.ids[1] (${unknown})`,
      );

      graph.dir.addGroup('gone-1', 'n-gone', ['u10']);
      const first = await source({ ids: ['top', 'gone-1'] }, deps).read({ mode: 'full' });
      expect(normal(first.snapshot).people.u10).toEqual(['gone-1']);
      graph.dir.removeGroup('gone-1');
      for (const mode of ['full', 'incremental'] as const) {
        const again = await source({ ids: ['top', 'gone-1'] }, deps).read({ mode, cursor: first.nextCursor! });
        expect(again.mode).toBe(mode);
        expect(again.snapshot.issues.map((i) => `${i.where}: ${i.reason}`)).toEqual([
          'groups.ids[1]: no group with id gone-1 in the tenant (deleted?): left out',
        ]);
        // a is in scope only through top: read by id, the tree below top still comes with it.
        expect(normal(again.snapshot).people.u5).toEqual(['top']);
      }
    } finally {
      const keys = await redis.keys(`${keyPrefix}*`);
      if (keys.length > 0) await redis.del(...keys);
    }
  });

  it('a configured id is found whatever its case, as Graph compares object ids', async () => {
    const guid = '0b1f0c3e-5c3a-4d2e-9a55-2f1d8c6b7e41';
    graph.dir.addGroup(guid, 'n-guid', ['u12']);
    const read = await source({ ids: [guid.toUpperCase()] }, { nesting: true }).read({ mode: 'full' });
    expect(normal(read.snapshot).people).toEqual({ u12: [guid] });
  });

  it('an id lookup Graph refuses (400) is asked again one id at a time: the others are still found', async () => {
    graph.faults.badRequest = /^\/groups\?\$filter=id/;
    const before = graph.graphCalls().length;
    const read = await source({ ids: ['top', 'p'] }, { nesting: true }).read({ mode: 'full' });
    expect(Object.keys(normal(read.snapshot).groups).sort()).toEqual(['p', 'top']);
    const lookups = pathsSince(before).filter((p) => /^\/v1\.0\/groups(\/(top|p))?$/.test(p));
    expect(lookups.sort()).toEqual(['/v1.0/groups', '/v1.0/groups/p', '/v1.0/groups/top']);
  });

  it('a delta keeps the nesting: a re-parented group, a group added inside another, a person moved up, end where a full read does', async () => {
    const keyPrefix = `entra-nest-delta-${process.pid}-${Date.now()}:`;
    const deps = { nesting: true, redis, keyPrefix };
    try {
      const first = await source({ displayNamePrefix: 'n-' }, deps).read({ mode: 'full' });
      const d = graph.dir;
      d.removeMember('a', 'b'); // b re-parented: from a to top
      d.addMember('top', 'b');
      d.addGroup('new-d', 'n-d', ['u10']); // a new group inside a
      d.addMember('a', 'new-d');
      d.removeMember('b', 'u3'); // u3 moves from b up to its (new) parent top
      d.addMember('top', 'u3');
      d.addGroup('y', 'x-y', ['u11']); // outside the scope, inside c: u11 passes up to c
      d.addMember('c', 'y');
      d.removeGroup('loop2'); // the cycle outside the scope is broken
      d.renameGroup('mid-x', 'x-mid-renamed');
      d.renameGroup('q', 'n-q2');
      const before = graph.graphCalls().length;
      const delta = await source({ displayNamePrefix: 'n-' }, deps).read({
        mode: 'incremental',
        cursor: first.nextCursor!,
      });
      const reread = pathsSince(before)
        .filter((p) => p.endsWith('/members/microsoft.graph.user'))
        .map((p) => p.split('/')[3])
        .sort();
      const full = await source({ displayNamePrefix: 'n-' }, { nesting: true }).read({ mode: 'full' });
      expect(delta.mode).toBe('incremental');
      expect(normal(delta.snapshot)).toEqual(normal(full.snapshot));
      expect(normal(delta.snapshot)).toMatchObject({
        people: { u3: ['top'], u10: ['new-d'], u11: ['c'] },
        groups: { b: { parents: ['top'] }, 'new-d': { parents: ['a'] }, q: { name: 'n-q2' } },
        issues: [],
      });
      expect(normal(delta.snapshot).people.u7).toBeUndefined();
      // Only the groups whose own members changed, and the new ones, are read again.
      expect(reread).toEqual(['a', 'b', 'c', 'new-d', 'top', 'y']);
    } finally {
      const keys = await redis.keys(`${keyPrefix}*`);
      if (keys.length > 0) await redis.del(...keys);
    }
  });
});
