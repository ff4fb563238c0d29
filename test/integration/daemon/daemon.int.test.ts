import { writeFileSync, readFileSync } from 'node:fs';
import { QueueEvents, Queue } from 'bullmq';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { startDaemon, type Daemon } from '../../../src/daemon/daemon.js';
import { enqueueTick, SYNC_QUEUE, type SyncJobData } from '../../../src/daemon/scheduler.js';
import { silentLogger } from '../../../src/log/logger.js';
import { queuePrefix } from '../../../src/store/keys.js';
import { startRedisServer } from '../../../src/store/redis-server.js';
import { generateDirectory } from '../../support/synthetic-directory.js';
import { createHarness, type Harness } from '../../support/conformance/chartio.js';
import { parsePrometheus } from '../../support/prometheus.js';

const redisUrl = inject('redisUrl');
const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

/** The harness config plus a daemon section and a schedule. */
function daemonConfig(h: Harness, schedule?: { full?: string; incremental?: string }, redis?: string): string {
  const config = JSON.parse(readFileSync(h.configPath, 'utf8'));
  config.daemon = { http: { host: '127.0.0.1', port: 0 }, shutdownTimeoutMs: 2000 };
  if (schedule) config.profiles[0].schedule = { ...schedule, timezone: 'Europe/Berlin' };
  if (redis) config.redis.url = redis;
  writeFileSync(h.configPath, JSON.stringify(config));
  return h.configPath;
}

async function harness(o: Parameters<typeof createHarness>[1] = {}): Promise<Harness> {
  const h = await createHarness(redisUrl, o);
  cleanup.push(() => h.close());
  h.writeDirectory(generateDirectory({ people: 60, groups: 6, memberships: 90, seed: 31 }));
  return h;
}

async function daemon(path: string, role: 'all' | 'scheduler' | 'worker' = 'all'): Promise<Daemon> {
  const d = await startDaemon(path, { role, log: silentLogger });
  cleanup.push(() => d.close());
  return d;
}

async function until<T>(f: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('rostersync run', () => {
  it('two schedulers with the same schedule produce one sync per tick', async () => {
    const h = await harness();
    const path = daemonConfig(h, { full: '* * * * * *' });
    const events = new QueueEvents(SYNC_QUEUE, { connection: { url: redisUrl }, prefix: queuePrefix(h.prefix) });
    cleanup.push(() => events.close());
    let duplicated = 0;
    events.on('duplicated', () => void (duplicated += 1));
    await events.waitUntilReady();
    const a = await daemon(path, 'scheduler');
    const b = await daemon(path, 'scheduler');
    await new Promise((r) => setTimeout(r, 3500));
    await a.close();
    await b.close();
    const queue = new Queue<SyncJobData>(SYNC_QUEUE, { connection: { url: redisUrl }, prefix: queuePrefix(h.prefix) });
    cleanup.push(() => queue.close());
    const jobs = await queue.getJobs(['waiting', 'delayed', 'active', 'completed']);
    const ticks = jobs.map((j) => j.data.tick);
    expect(jobs.length).toBeGreaterThanOrEqual(2);
    expect(new Set(ticks).size).toBe(jobs.length);
    expect(jobs.every((j) => j.id === `hr.${j.data.tick.replace(/[:.]/g, '-')}`)).toBe(true);
    expect(duplicated).toBeGreaterThanOrEqual(jobs.length - 1);
  });

  it('refuses an overlapping run of one profile across replicas and says so in the metrics', async () => {
    // Slow calls keep the first run going long after the second job is taken; then they speed up.
    const h = await harness({ emulator: { latencyMs: [100, 100] }, queue: { concurrency: 1 } });
    const path = daemonConfig(h);
    const a = await daemon(path, 'worker');
    const b = await daemon(path, 'worker');
    const { openRuntime } = await import('../../../src/app/runtime.js');
    const rt = await openRuntime(path, { log: silentLogger });
    cleanup.push(() => rt.close());
    const queue = new Queue<SyncJobData>(SYNC_QUEUE, { connection: rt.redis, prefix: queuePrefix(h.prefix) });
    cleanup.push(() => queue.close());
    const result = async (id: string) =>
      ((await queue.getJob(id))?.returnvalue as string | null | undefined) ?? undefined;
    await enqueueTick(queue, { profile: 'hr', mode: 'full', tick: 'manual' }, 'hr.manual-a', silentLogger);
    await until(async () => ((await rt.store.listRuns(1))[0]?.status === 'running' ? true : undefined));
    // A second sync of the profile while the first applies (a manual one during a tick's, another replica's pick).
    await enqueueTick(queue, { profile: 'hr', mode: 'full', tick: 'manual' }, 'hr.manual-b', silentLogger);
    expect(await until(() => result('hr.manual-b'))).toBe('refused-overlap');
    h.emulator.setOptions({ latencyMs: 0 });
    expect(await until(() => result('hr.manual-a'), 60_000)).toBe('succeeded');
    const runs = await rt.store.listRuns(10);
    expect(runs.map((r) => r.status)).toEqual(['succeeded']);
    const refused = await Promise.all(
      [a, b].map(
        async (d) =>
          parsePrometheus(await (await fetch(`${d.url}/metrics`)).text()).find(
            (s) => s.name === 'rostersync_runs_total' && s.labels.status === 'refused-overlap',
          )?.value ?? 0,
      ),
    );
    expect(refused[0]! + refused[1]!).toBe(1);
  });

  it('continues an unfinished run at start, and a resume job with nothing left to resume starts no sync', async () => {
    const h = await harness();
    const path = daemonConfig(h);
    const { openRuntime } = await import('../../../src/app/runtime.js');
    const rt = await openRuntime(path, { log: silentLogger });
    cleanup.push(() => rt.close());
    const queue = new Queue<SyncJobData>(SYNC_QUEUE, { connection: rt.redis, prefix: queuePrefix(h.prefix) });
    cleanup.push(() => queue.close());
    await enqueueTick(queue, { profile: 'hr', mode: 'full', tick: 'resume' }, 'hr.resume-none', silentLogger);
    await daemon(path, 'worker');
    const job = await until(
      async () => ((await queue.getJob('hr.resume-none'))?.returnvalue as string | undefined) || undefined,
    );
    expect(job).toBe('nothing-to-resume');
    expect(await rt.store.listRuns(5)).toEqual([]);
    expect(h.emulator.stats().requests).toBe(0);
  });

  it('/metrics parses as Prometheus text and its counters match the run record', async () => {
    const h = await harness();
    const path = daemonConfig(h);
    const d = await daemon(path);
    const { openRuntime } = await import('../../../src/app/runtime.js');
    const rt = await openRuntime(path, { log: silentLogger });
    cleanup.push(() => rt.close());
    const queue = new Queue<SyncJobData>(SYNC_QUEUE, { connection: rt.redis, prefix: queuePrefix(h.prefix) });
    cleanup.push(() => queue.close());
    await enqueueTick(queue, { profile: 'hr', mode: 'full', tick: 'manual' }, 'hr.manual-2', silentLogger);
    const run = await until(async () => (await rt.store.listRuns(1)).find((r) => r.status === 'succeeded'));
    const samples = parsePrometheus(await (await fetch(`${d.url}/metrics`)).text());
    const ops = samples.filter((s) => s.name === 'rostersync_ops_total');
    expect(ops.length).toBeGreaterThan(0);
    for (const s of ops) expect(s.value).toBe(run.counts[`${s.labels.kind}.${s.labels.outcome}`]);
    expect(ops.reduce((n, s) => n + s.value, 0)).toBe(run.totalOps);
    expect(samples.find((s) => s.name === 'rostersync_runs_total' && s.labels.status === 'succeeded')?.value).toBe(1);
    const calls = samples.filter((s) => s.name === 'rostersync_api_calls_total').reduce((n, s) => n + s.value, 0);
    expect(calls).toBe(h.emulator.stats().requests);
    expect(samples.find((s) => s.name === 'rostersync_last_success_timestamp_seconds')?.value).toBeGreaterThan(0);
    expect(samples.some((s) => s.name === 'rostersync_queue_jobs')).toBe(true);
    const value = (name: string) => samples.find((s) => s.name === name)?.value;
    expect(value('rostersync_redis_up')).toBe(1);
    expect(value('rostersync_runs_failed_in_a_row')).toBe(0);
    expect(value('rostersync_run_awaiting_approval')).toBe(0);
  });

  it('two profiles into two targets: /metrics counts ops per profile and calls per target, and the page shows each', async () => {
    const a = await harness();
    const b = await harness();
    b.writeDirectory(generateDirectory({ people: 25, groups: 3, memberships: 40, seed: 32 }));
    // One deployment: a's config with both targets and a second profile reading b's directory.
    const config = JSON.parse(readFileSync(daemonConfig(a), 'utf8'));
    const other = JSON.parse(readFileSync(b.configPath, 'utf8'));
    config.targets = { alpha: config.target, beta: other.target };
    delete config.target;
    config.profiles = [
      { ...config.profiles[0], target: 'alpha' },
      {
        ...other.profiles[0],
        name: 'sales',
        target: 'beta',
        source: {
          ...other.profiles[0].source,
          path: `${b.dir}/dir/people.csv`,
          groupsFile: { path: `${b.dir}/dir/groups.csv` },
        },
      },
    ];
    writeFileSync(a.configPath, JSON.stringify(config));
    const d = await daemon(a.configPath);
    const { openRuntime } = await import('../../../src/app/runtime.js');
    const rt = await openRuntime(a.configPath, { log: silentLogger });
    cleanup.push(() => rt.close());
    const queue = new Queue<SyncJobData>(SYNC_QUEUE, { connection: rt.redis, prefix: queuePrefix(a.prefix) });
    cleanup.push(() => queue.close());
    for (const profile of ['hr', 'sales'])
      await enqueueTick(queue, { profile, mode: 'full', tick: 'manual' }, `${profile}.manual-3`, silentLogger);
    const runs = await until(async () => {
      const found = await Promise.all(
        ['hr', 'sales'].map(async (p) => (await rt.storeFor(p).listRuns(1)).find((r) => r.status === 'succeeded')),
      );
      return found.every((r) => r !== undefined) ? found : undefined;
    });

    const samples = parsePrometheus(await (await fetch(`${d.url}/metrics`)).text());
    const sum = (name: string, labels: Record<string, string>) =>
      samples
        .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
        .reduce((n, s) => n + s.value, 0);
    expect(sum('rostersync_ops_total', { profile: 'hr' })).toBe(runs[0]!.totalOps);
    expect(sum('rostersync_ops_total', { profile: 'sales' })).toBe(runs[1]!.totalOps);
    expect(runs[0]!.totalOps).not.toBe(runs[1]!.totalOps);
    expect(sum('rostersync_api_calls_total', { target: 'alpha' })).toBe(a.emulator.stats().requests);
    expect(sum('rostersync_api_calls_total', { target: 'beta' })).toBe(b.emulator.stats().requests);
    expect(samples.filter((s) => s.name === 'rostersync_budget_calls_per_second').map((s) => s.labels.target)).toEqual(
      expect.arrayContaining(['alpha', 'beta']),
    );
    for (const profile of ['hr', 'sales'])
      expect(sum('rostersync_runs_total', { profile, status: 'succeeded' })).toBe(1);

    const page = await (await fetch(`${d.url}/`)).text();
    expect(page).toContain('id="profile-hr"');
    expect(page).toContain('id="profile-sales"');
  });

  it('/readyz turns unready when Redis stops and ready again when it returns; /healthz stays up', async () => {
    const redis = await startRedisServer();
    cleanup.push(() => redis.stop());
    const port = Number(new URL(redis.url).port);
    const h = await harness();
    const d = await daemon(daemonConfig(h, undefined, redis.url));
    expect((await fetch(`${d.url}/readyz`)).status).toBe(200);
    await redis.stop();
    await until(async () => ((await fetch(`${d.url}/readyz`)).status === 503 ? true : undefined));
    expect((await fetch(`${d.url}/healthz`)).status).toBe(200);
    const again = await startRedisServer(port);
    cleanup.push(() => again.stop());
    await until(async () => ((await fetch(`${d.url}/readyz`)).status === 200 ? true : undefined), 30_000);
    await d.close();
  });

  it('asks for the bearer token on everything but /healthz when one is configured', async () => {
    const h = await harness();
    const path = daemonConfig(h);
    const config = JSON.parse(readFileSync(path, 'utf8'));
    config.daemon.http.token = 'status-token-1';
    writeFileSync(path, JSON.stringify(config));
    const d = await daemon(path);
    expect((await fetch(`${d.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${d.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${d.url}/metrics`, { headers: { authorization: 'Bearer status-token-2' } })).status).toBe(401);
    const page = await fetch(`${d.url}/`, { headers: { authorization: 'Bearer status-token-1' } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
  });

  it('serves a run as HTML and as JSON', async () => {
    const h = await harness();
    const path = daemonConfig(h);
    const d = await daemon(path);
    const { openRuntime } = await import('../../../src/app/runtime.js');
    const rt = await openRuntime(path, { log: silentLogger });
    cleanup.push(() => rt.close());
    const queue = new Queue<SyncJobData>(SYNC_QUEUE, { connection: rt.redis, prefix: queuePrefix(h.prefix) });
    cleanup.push(() => queue.close());
    await enqueueTick(queue, { profile: 'hr', mode: 'full', tick: 'manual' }, 'hr.manual-3', silentLogger);
    const run = await until(async () => (await rt.store.listRuns(1)).find((r) => r.status === 'succeeded'));
    const json = await (await fetch(`${d.url}/runs/hr/${run.runId}?format=json`)).json();
    expect(json).toMatchObject({ runId: run.runId, status: 'succeeded', totalOps: run.totalOps, counts: run.counts });
    const html = await (await fetch(`${d.url}/runs/hr/${run.runId}`)).text();
    expect(html).toContain(`<h1>Run ${run.runId}`);
    expect((await fetch(`${d.url}/runs/hr/nope`)).status).toBe(404);
    expect((await fetch(`${d.url}/runs/other/${run.runId}`)).status).toBe(404);
    expect((await fetch(`${d.url}/`, { method: 'POST' })).status).toBe(405);
  });
});
