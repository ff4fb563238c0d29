import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { SourceReadError } from '../../../src/errors/index.js';
import { silentLogger } from '../../../src/log/logger.js';
import { EntraSource } from '../../../src/sources/entra/index.js';
import { GraphHttp } from '../../../src/sources/entra/graph-http.js';
import { entraSourceSchema } from '../../../src/sources/entra/schema.js';
import { startFakeGraph, type FakeGraph } from '../../support/fake-graph/server.js';

const tls = inject('tls');
let graph: FakeGraph;
const ids = Array.from({ length: 300 }, (_, k) => `g${k}`);
const config = (over: Record<string, unknown> = {}) =>
  entraSourceSchema.parse({
    kind: 'entra',
    tenantId: 't',
    clientId: 'c',
    clientSecret: 's',
    authorityHost: graph.url,
    graphBaseUrl: graph.url,
    groups: { ids },
    retryBaseMs: 10,
    ...over,
  });
const source = (over: Record<string, unknown> = {}) =>
  new EntraSource(config(over), { log: silentLogger, baseDir: '/', profile: 'batch' });

beforeAll(async () => {
  graph = await startFakeGraph({ tenantId: 't', clientId: 'c', clientSecret: 's', cert: tls.cert, key: tls.key });
  for (let i = 0; i < 10_000; i++)
    graph.dir.addUser({ id: `u${i}`, displayName: `U${i}`, mail: `u${i}@x.test`, userPrincipalName: `u${i}@x.test` });
  for (let k = 0; k < 300; k++)
    graph.dir.addGroup(
      `g${k}`,
      `grp-${k}`,
      Array.from({ length: 33 }, (_, i) => `u${(k * 33 + i) % 10_000}`),
    );
  graph.dir.addGroup(
    'g-huge',
    'huge',
    Array.from({ length: 2_500 }, (_, i) => `u${i}`),
  );
});
afterAll(async () => {
  await graph.close();
});
beforeEach(() => {
  Object.assign(graph.faults, { throttle: 0, innerThrottle: 0, latencyMs: 0 });
  graph.load.maxInFlight = 0;
});

describe('scope by group ids through JSON $batch', () => {
  it('300 ids: 20 lookups of 15 ids in 1 batch + 15 member batches, never more than `concurrency` requests at once', async () => {
    graph.faults.latencyMs = 20;
    const before = { requests: graph.graphRequests().length, calls: graph.graphCalls().length };
    const read = await source().read({ mode: 'full' });
    const requests = graph.graphRequests().length - before.requests;
    const calls = graph.graphCalls().length - before.calls;
    console.log(
      `scope by 300 ids, 10,000 people: ${requests} HTTP requests (${calls} Graph calls), at most ${graph.load.maxInFlight} at once`,
    );
    expect(read.snapshot.groups).toHaveLength(300);
    expect(read.snapshot.people).toHaveLength(9_900);
    expect(requests).toBe(2 + 1 + 15);
    expect(read.requests).toBe(requests);
    expect(calls).toBe(2 + 20 + 300);
    const lookups = graph
      .graphCalls()
      .slice(before.calls)
      .filter((r) => r.path.startsWith('/v1.0/groups?'));
    expect(lookups).toHaveLength(20);
    expect(decodeURIComponent(lookups[0]!.path)).toMatch(/\$filter=id in \('g\d+'(,'g\d+'){14}\)/);
    expect(graph.load.maxInFlight).toBeLessThanOrEqual(4);
  });

  it('a read scoped by 300 ids costs what the unscoped read of the same groups does (at most 1.1x), with and without nesting', async () => {
    const calls = async (over: Record<string, unknown>) => {
      const before = graph.graphCalls().length;
      const read = await source(over).read({ mode: 'full' });
      return { calls: graph.graphCalls().length - before, groups: read.snapshot.groups.length };
    };
    for (const nesting of [false, true]) {
      const scoped = await calls({ groups: { ids, nesting } });
      // The same 300 groups (not g-huge), listed by their prefix instead of looked up by id.
      const unscoped = await calls({ groups: { displayNamePrefix: 'grp-', nesting } });
      console.log(
        `10,000 people in 300 groups, nesting ${nesting}: scoped ${scoped.calls} Graph calls, unscoped ${unscoped.calls} (${(scoped.calls / unscoped.calls).toFixed(2)}x)`,
      );
      expect(scoped.groups).toBe(300);
      expect(scoped.calls).toBeLessThanOrEqual(1.1 * unscoped.calls);
    }
  });

  it('the fake Graph takes at most 15 ids in a $filter with `in`, as Graph does', async () => {
    const http = new GraphHttp(config({ maxRetries: 0 }), silentLogger);
    const list = (n: number) =>
      ids
        .slice(0, n)
        .map((id) => `'${id}'`)
        .join(',');
    const page = await http.get<{ value: { id: string }[] }>(
      `/groups?$filter=${encodeURIComponent(`id in (${list(15)})`)}`,
    );
    expect(page.value).toHaveLength(15);
    const err = await http.get(`/groups?$filter=${encodeURIComponent(`id in (${list(16)})`)}`).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(err?.message).toMatch(/400 Request_UnsupportedQuery: Too many child clauses/);
  });

  it('concurrency is a config key', async () => {
    graph.faults.latencyMs = 20;
    await source({ concurrency: 1 }).read({ mode: 'full' });
    expect(graph.load.maxInFlight).toBe(1);
  });

  it('follows each inner nextLink in a later batch: a 2,500-member group reads whole', async () => {
    const read = await source({ groups: { ids: ['g-huge', 'g1'] } }).read({ mode: 'full' });
    expect(read.snapshot.people.filter((p) => p.groupIds.includes('g-huge'))).toHaveLength(2_500);
    // 2 delta links, 1 lookup batch, 3 member batches (first pages of both, then g-huge's 2nd and 3rd pages).
    expect(read.requests).toBe(2 + 1 + 3);
  });

  it('waits out inner 429s (their own Retry-After), holding the whole read, and re-sends only those', async () => {
    graph.faults.innerThrottle = 25;
    graph.faults.latencyMs = 150; // so other batches still have work while the first waits
    const before = graph.log.length;
    const started = Date.now();
    const read = await source().read({ mode: 'full' });
    expect(read.snapshot.groups).toHaveLength(300);
    const inner = graph.log.slice(before).filter((r) => r.inner);
    expect(inner.filter((r) => r.status === 429)).toHaveLength(25);
    expect(inner.filter((r) => r.status === 200)).toHaveLength(320);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
    // The Retry-After holds every batch of the read: nothing new reaches Graph during the second.
    const first429 = inner.find((r) => r.status === 429)!.at;
    const during = graph.log.slice(before).filter((r) => !r.inner && r.at > first429 + 200 && r.at < first429 + 900);
    expect(during).toEqual([]);
  });

  it('the fake Graph refuses a batch of 21, repeated ids and dependsOn, as Graph does', async () => {
    const http = new GraphHttp(config({ maxRetries: 0 }), silentLogger);
    const req = (id: string) => ({ id, method: 'GET' as const, url: '/groups/g1?$select=id' });
    const refused = async (requests: { id: string; method: 'GET'; url: string }[]) =>
      http.postBatch(requests).then(
        () => undefined,
        (e: unknown) => e,
      );
    const tooMany = await refused(Array.from({ length: 21 }, (_, i) => req(String(i))));
    expect(tooMany).toBeInstanceOf(SourceReadError);
    expect((tooMany as Error).message).toMatch(/400.*limit of 20/);
    expect(await refused([req('1'), req('1')])).toBeInstanceOf(SourceReadError);
    expect(await refused([{ ...req('1'), dependsOn: ['2'] } as ReturnType<typeof req>, req('2')])).toBeInstanceOf(
      SourceReadError,
    );
    expect((await http.postBatch([req('a'), req('b')])).responses.map((r) => r.status)).toEqual([200, 200]);
  });
});
