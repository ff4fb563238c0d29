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
    'grp-huge',
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
  it('300 ids: 15 lookup batches + 15 member batches, never more than `concurrency` requests at once', async () => {
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
    expect(requests).toBe(2 + 15 + 15);
    expect(read.requests).toBe(requests);
    expect(calls).toBe(2 + 300 + 300);
    expect(graph.load.maxInFlight).toBeLessThanOrEqual(4);
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
    expect(inner.filter((r) => r.status === 200)).toHaveLength(600);
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
