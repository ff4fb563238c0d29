import { Queue, type Worker } from 'bullmq';
import type { Server } from 'node:http';
import { loadConfig } from '../config/load-config.js';
import { createLogger, type Logger } from '../log/logger.js';
import { openRuntime, type Runtime } from '../app/runtime.js';
import { queuePrefix } from '../store/keys.js';
import { startHttp } from './http.js';
import { Metrics } from './metrics.js';
import { enqueueTick, startScheduler, stopScheduler, SYNC_QUEUE, type ProfileSchedule, type SyncJobData } from './scheduler.js';
import { startSyncWorker } from './sync-worker.js';

export type Role = 'all' | 'scheduler' | 'worker';

export interface Daemon {
  http: Server;
  url: string;
  metrics: Metrics;
  close(): Promise<void>;
}

/**
 * `rostersync run`: schedules (role scheduler/all), sync and op workers (role worker/all), and the
 * HTTP endpoints (every role). Any number of replicas share the queues and the budget in Redis.
 */
export async function startDaemon(configPath: string, opts: { role?: Role; log?: Logger; port?: number } = {}): Promise<Daemon> {
  const role = opts.role ?? 'all';
  const { config } = await loadConfig(configPath);
  const metrics = new Metrics();
  const log = opts.log ?? createLogger({ level: config.log.level });
  const runtimes = new Map<string, Promise<Runtime>>();
  const runtimeFor = (profile: string) => {
    let rt = runtimes.get(profile);
    if (!rt) {
      rt = openRuntime(configPath, { profile, log: log.child({ profile }), onResponse: (r) => metrics.apiCall(r.status) });
      runtimes.set(profile, rt);
    }
    return rt;
  };
  const main = await runtimeFor(config.profiles[0]!.name);
  const syncQueue = new Queue<SyncJobData>(SYNC_QUEUE, { connection: main.redis, prefix: queuePrefix(config.redis.prefix) });
  syncQueue.on('error', (err) => log.debug({ err: err.message }, 'sync queue connection error'));
  const abort = new AbortController();
  const progress = new Map<string, { runId?: string; done: number; total: number; startedAt: string }>();
  const workers: Worker[] = [];
  const connections: { disconnect(): void }[] = [];
  let schedules: ProfileSchedule[] = [];

  if (role !== 'scheduler') {
    workers.push(main.startWorkers({ onOutcome: (op, outcome) => metrics.ops.inc({ kind: op.kind, outcome }) }));
    const connection = main.redis.duplicate({ maxRetriesPerRequest: null });
    connections.push(connection);
    workers.push(startSyncWorker({ connection, queuePrefix: queuePrefix(config.redis.prefix), runtimeFor, metrics, log, progress, signal: abort.signal }));
    // Runs left unfinished by a crash or a shutdown continue first.
    for (const p of config.profiles) {
      const unfinished = await (await runtimeFor(p.name)).store.unfinishedRun();
      if (unfinished) await enqueueTick(syncQueue, { profile: p.name, mode: 'full', tick: 'resume' }, `${p.name}.resume.${unfinished.runId}`, log);
    }
  }
  if (role !== 'worker') schedules = startScheduler(config.profiles, syncQueue, log);

  const http = await startHttp({
    host: config.daemon.http.host, port: opts.port ?? config.daemon.http.port, ...(config.daemon.http.token ? { token: config.daemon.http.token } : {}), metrics, log,
    ready: async () => {
      const checks: Record<string, string> = {};
      checks.redis = await Promise.race([main.redis.ping().then(() => 'ok', (e: Error) => e.message), new Promise<string>((r) => setTimeout(() => r('timeout'), 1000).unref())]);
      checks.workers = role === 'scheduler' ? 'not this role' : workers.every((w) => w.isRunning()) ? 'ok' : 'stopped';
      return { ok: checks.redis === 'ok' && checks.workers !== 'stopped', checks };
    },
    beforeScrape: async () => {
      metrics.updateBudgetUse(main.budget.ratePerSecond);
      const counts = await main.queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed').catch(() => ({} as Record<string, number>));
      for (const [state, n] of Object.entries(counts)) metrics.queueJobs.set({ state }, n);
    },
    status: async () => Promise.all(config.profiles.map(async (p) => {
      const rt = await runtimeFor(p.name);
      const sched = schedules.find((s) => s.profile === p.name);
      return {
        name: p.name, source: p.source.kind, timezone: p.schedule?.timezone ?? 'UTC',
        schedules: (sched?.tasks ?? []).map((t) => ({ mode: t.mode, expression: t.expression, next: t.task.getNextRun()?.toISOString() ?? null })),
        ...(progress.has(p.name) ? { current: progress.get(p.name)! } : {}),
        runs: await rt.store.listRuns(15),
      };
    })),
    run: async (profile, runId) => (config.profiles.some((p) => p.name === profile) ? (await runtimeFor(profile)).store.getRun(runId) : undefined),
  });
  const address = http.address();
  const url = `http://${config.daemon.http.host}:${typeof address === 'object' && address ? address.port : 0}`;
  log.info({ role, url, profiles: config.profiles.map((p) => p.name) }, 'rostersync daemon started');

  let closing: Promise<void> | undefined;
  return {
    http, url, metrics,
    close: () => (closing ??= (async () => {
      log.info({ timeoutMs: config.daemon.shutdownTimeoutMs }, 'shutting down: no new jobs; in-flight work finishes or is handed back');
      stopScheduler(schedules);
      abort.abort(new Error('shutdown'));
      await Promise.all(workers.map((w) => Promise.race([w.close(), new Promise((r) => setTimeout(r, config.daemon.shutdownTimeoutMs).unref())]).then(() => w.close(true))));
      await new Promise<void>((r) => http.close(() => r()));
      http.closeAllConnections();
      await Promise.race([syncQueue.close(), new Promise((r) => setTimeout(r, 5000).unref())]);
      for (const rt of runtimes.values()) await (await rt).close();
      for (const c of connections) c.disconnect();
      log.info('daemon stopped');
    })()),
  };
}
