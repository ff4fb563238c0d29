import { Queue, type Worker } from 'bullmq';
import type { Server } from 'node:http';
import { loadConfig } from '../config/load-config.js';
import { targetOf, type Config } from '../config/schema.js';
import { createLogger, type Logger } from '../log/logger.js';
import { openRuntime, type Runtime } from '../app/runtime.js';
import { queuePrefix } from '../store/keys.js';
import { startHttp, type HttpDeps } from './http.js';
import type { NamedToken } from './credentials.js';
import { Metrics } from './metrics.js';
import { claimDecision, DecisionTakenError, NotPendingError } from '../app/approvals.js';
import { explainPerson } from '../app/explain-person.js';
import {
  checkSchedule,
  decisionJobId,
  enqueueTick,
  resumeJobId,
  startScheduler,
  stopScheduler,
  SYNC_QUEUE,
  type ProfileSchedule,
  type SyncJobData,
} from './scheduler.js';
import { RefusedSources } from './refused-sources.js';
import { profileStatus } from './status.js';
import { startSyncWorker, type LocalProgress } from './sync-worker.js';

export type Role = 'all' | 'scheduler' | 'worker';

export interface Daemon {
  http: Server;
  url: string;
  metrics: Metrics;
  close(): Promise<void>;
}

export interface DaemonOptions {
  /** @defaultValue 'all' */
  role?: Role;
  log?: Logger;
  /** Overrides daemon.http.port (tests use 0). */
  port?: number;
}

const JOB_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children', 'failed', 'completed'] as const;
const bounded = (p: Promise<unknown>, ms: number) => Promise.race([p, new Promise((r) => setTimeout(r, ms).unref())]);

/**
 * `rostersync run`: schedules (role scheduler/all), sync and op workers (role worker/all), and the
 * HTTP endpoints (every role). Any number of replicas share the queues and the budget in Redis.
 */
export async function startDaemon(configPath: string, opts: DaemonOptions = {}): Promise<Daemon> {
  const role = opts.role ?? 'all';
  const { config } = await loadConfig(configPath);
  config.profiles.forEach(checkSchedule);
  const metrics = new Metrics();
  const log = opts.log ?? createLogger({ level: config.log.level });
  const runtimes = runtimeCache(configPath, log, metrics);
  const runtimeFor = runtimes.get;
  const main = await runtimeFor(config.profiles[0]!.name);
  const prefix = queuePrefix(config.redis.prefix);
  const syncQueue = openSyncQueue(main, prefix, log);
  const abort = new AbortController();
  const progress = new Map<string, LocalProgress>();
  const refusedSources = new RefusedSources();
  const workers =
    role === 'scheduler'
      ? []
      : await startWorkerRole({
          config,
          main,
          runtimeFor,
          prefix,
          syncQueue,
          metrics,
          log,
          progress,
          refusedSources,
          signal: abort.signal,
        });
  // A worker replica knows the schedules (for the status page) but never fires them.
  const schedules =
    role === 'worker'
      ? startScheduler(config.profiles, undefined, log, { start: false })
      : startScheduler(config.profiles, syncQueue, log, { signal: abort.signal });
  const timeoutMs = config.daemon.shutdownTimeoutMs;
  const shutdown = () => stopParts({ schedules, abort, workers, syncQueue, runtimes: runtimes.opened(), timeoutMs });

  let stopping = false;
  let http: Server;
  try {
    http = await startHttp({
      host: config.daemon.http.host,
      port: opts.port ?? config.daemon.http.port,
      tokens: httpTokens(config),
      trustProxy: config.daemon.http.trustProxy,
      metrics,
      log,
      ready: readiness(main, role, workers, () => stopping, refusedSources),
      beforeScrape: scrape(config, runtimeFor, metrics, progress, refusedSources, [
        ['ops', main.queue],
        ['syncs', syncQueue],
      ]),
      ...statusPages(config, runtimeFor, schedules, progress, refusedSources),
      // The page only queues the decision: a sync worker carries it out under the profile lock.
      decide: decider(config, runtimeFor, syncQueue, log, abort.signal),
    });
  } catch (err) {
    await shutdown();
    throw err;
  }
  const address = http.address();
  const url = `http://${config.daemon.http.host}:${typeof address === 'object' && address ? address.port : 0}`;
  log.info({ role, url, profiles: config.profiles.map((p) => p.name) }, 'rostersync daemon started');

  let closing: Promise<void> | undefined;
  return {
    http,
    url,
    metrics,
    close: () =>
      (closing ??= closeDaemon(http, log, timeoutMs, async () => {
        stopping = true; // /readyz answers 503 while in-flight work drains; /healthz stays up
        await shutdown();
      })),
  };
}

/** No new jobs; in-flight work finishes or is handed back (`drain`), then the HTTP server closes. */
async function closeDaemon(http: Server, log: Logger, timeoutMs: number, drain: () => Promise<void>): Promise<void> {
  log.info({ timeoutMs }, 'shutting down: no new jobs; in-flight work finishes or is handed back');
  await drain();
  const closed = new Promise<void>((r) => http.close(() => r()));
  http.closeIdleConnections();
  await bounded(closed, 2000);
  http.closeAllConnections();
  log.info('daemon stopped');
}

function openSyncQueue(main: Runtime, prefix: string, log: Logger): Queue<SyncJobData> {
  const syncQueue = new Queue<SyncJobData>(SYNC_QUEUE, { connection: main.redis, prefix });
  syncQueue.on('error', (err) => log.debug({ err: err.message }, 'sync queue connection error'));
  return syncQueue;
}

/** One runtime per profile, opened on first use and shared by the workers, the scheduler and HTTP. */
function runtimeCache(
  configPath: string,
  log: Logger,
  metrics: Metrics,
): { get: (profile: string) => Promise<Runtime>; opened: () => Iterable<Promise<Runtime>> } {
  const runtimes = new Map<string, Promise<Runtime>>();
  return {
    get: (profile) => {
      let rt = runtimes.get(profile);
      if (!rt) {
        rt = openRuntime(configPath, {
          profile,
          log: log.child({ profile }),
          // The daemon's stdout carries only the audit stream (its logs are on stderr).
          auditOut: 'stdout',
          onResponse: (r) => metrics.apiCall(r.target, r.status),
        });
        runtimes.set(profile, rt);
      }
      return rt;
    },
    opened: () => runtimes.values(),
  };
}

interface WorkerRoleDeps {
  config: Config;
  main: Runtime;
  runtimeFor: (profile: string) => Promise<Runtime>;
  prefix: string;
  syncQueue: Queue<SyncJobData>;
  metrics: Metrics;
  log: Logger;
  progress: Map<string, LocalProgress>;
  refusedSources: RefusedSources;
  signal: AbortSignal;
}

/** Op and sync workers; runs left unfinished by a crash or a shutdown are queued to continue first. */
async function startWorkerRole(d: WorkerRoleDeps): Promise<Worker[]> {
  const { main, metrics, log } = d;
  const workers: Worker[] = [
    main.startWorkers({ onOutcome: (op, outcome, profile) => metrics.opOutcome(profile, op.kind, outcome) }),
  ];
  // From the runtime's factory (a Cluster cannot duplicate() the same way); the runtime closes it.
  const connection = main.newConnection();
  workers.push(
    startSyncWorker({
      connection,
      queuePrefix: d.prefix,
      runtimeFor: d.runtimeFor,
      metrics,
      log,
      progress: d.progress,
      refusedSources: d.refusedSources,
      signal: d.signal,
    }),
  );
  for (const p of d.config.profiles) {
    const unfinished = await (await d.runtimeFor(p.name)).store.unfinishedRun();
    if (unfinished)
      await enqueueTick(
        d.syncQueue,
        { profile: p.name, mode: 'full', tick: 'resume' },
        resumeJobId(p.name, unfinished.runId, unfinished.done),
        log,
      );
  }
  return workers;
}

/**
 * worker.close() waits for active jobs with no limit: bound it, then hand the rest back. With
 * Redis gone even a forced close can wait forever, so every step is bounded and the connections
 * are dropped at the end whatever happened.
 */
async function stopParts(p: {
  schedules: ProfileSchedule[];
  abort: AbortController;
  workers: Worker[];
  syncQueue: Queue;
  runtimes: Iterable<Promise<Runtime>>;
  timeoutMs: number;
}): Promise<void> {
  stopScheduler(p.schedules);
  p.abort.abort(new Error('shutdown'));
  await Promise.all(p.workers.map((w) => bounded(w.close(), p.timeoutMs).then(() => bounded(w.close(true), 2000))));
  await Promise.all(
    p.workers.map((w) =>
      bounded(
        w.disconnect().catch(() => {}),
        1000,
      ),
    ),
  );
  await bounded(p.syncQueue.close(), 2000);
  for (const pending of p.runtimes) {
    const rt = await pending.catch(() => undefined);
    if (!rt) continue;
    await bounded(rt.close(), 3000);
    rt.redis.disconnect();
  }
}

/**
 * /readyz: Redis answers, this role's workers run, and no shutdown is under way. A profile whose
 * source refuses the credentials is named in `profiles` (and counted in `checks.sources`) but leaves
 * the answer ready (200): the daemon works, and a restart or a replica taken out of service would
 * not fix the config (docs/daemon.md).
 */
function readiness(
  main: Runtime,
  role: Role,
  workers: Worker[],
  stopping: () => boolean,
  refusedSources: RefusedSources,
): HttpDeps['ready'] {
  return async () => {
    const redis = await bounded(
      main.redis.ping().then(
        () => 'ok',
        (e: Error) => e.message,
      ),
      1000,
    );
    const profiles = refusedSources.lines();
    const refused = Object.keys(profiles);
    const checks: Record<string, string> = {
      redis: typeof redis === 'string' ? redis : 'timeout',
      workers: role === 'scheduler' ? 'not this role' : workers.every((w) => w.isRunning()) ? 'ok' : 'stopped',
      scheduler: role === 'worker' ? 'not this role' : 'ok',
      // Sync workers see a source's answer: a scheduler replica never does.
      sources:
        role === 'scheduler'
          ? 'not this role'
          : refused.length === 0
            ? 'ok'
            : `credentials refused: ${refused.join(', ')}`,
      ...(stopping() ? { shutdown: 'in progress' } : {}),
    };
    return { ok: checks.redis === 'ok' && checks.workers !== 'stopped' && !stopping(), checks, profiles };
  };
}

/** Runs read per profile at a scrape: enough for the failed-in-a-row alerts and a waiting run. */
const SCRAPE_RUNS = 20;

/**
 * Before /metrics answers: Redis up, budget use per target (profiles may share one), the run in
 * progress here and the runs recorded in Redis per profile, queue sizes. Each Redis read is bounded
 * to 1 s; a read that does not answer leaves its gauges as they were.
 */
function scrape(
  config: Config,
  runtimeFor: (profile: string) => Promise<Runtime>,
  metrics: Metrics,
  progress: ReadonlyMap<string, LocalProgress>,
  refusedSources: RefusedSources,
  queues: (readonly [string, Queue])[],
): HttpDeps['beforeScrape'] {
  return async () => {
    const main = await runtimeFor(config.profiles[0]!.name);
    const pong = await bounded(
      main.redis.ping().catch(() => undefined),
      1000,
    );
    metrics.redisUp.set(pong === 'PONG' ? 1 : 0);
    for (const p of config.profiles) {
      const rt = await runtimeFor(p.name);
      metrics.updateBudgetUse(targetOf(config, p).name, rt.budget?.ratePerSecond ?? 0);
      const local = progress.get(p.name);
      metrics.runProgress(p.name, local?.phase === 'applying' ? local : undefined);
      metrics.sourceCredentialsRefused.set({ profile: p.name }, refusedSources.get(p.name) ? 1 : 0);
      if (pong !== 'PONG') continue;
      const runs = (await bounded(
        rt.store.listRuns(SCRAPE_RUNS).catch(() => undefined),
        1000,
      )) as Awaited<ReturnType<Runtime['store']['listRuns']>> | undefined;
      if (runs) metrics.runsRead(p.name, runs);
    }
    for (const [name, queue] of queues) {
      const counts = (await bounded(
        queue.getJobCounts(...JOB_STATES).catch(() => undefined),
        1000,
      )) as Record<string, number> | undefined;
      for (const [state, n] of Object.entries(counts ?? {})) metrics.queueJobs.set({ queue: name, state }, n);
    }
  };
}

/** The status page and run details, per configured profile. */
function statusPages(
  config: Config,
  runtimeFor: (profile: string) => Promise<Runtime>,
  schedules: ProfileSchedule[],
  progress: ReadonlyMap<string, LocalProgress>,
  refusedSources: RefusedSources,
): Pick<HttpDeps, 'status' | 'run' | 'plan' | 'changes' | 'explain'> {
  const known = (profile: string) => config.profiles.some((p) => p.name === profile);
  return {
    status: async () =>
      Promise.all(
        config.profiles.map(async (p) =>
          profileStatus(
            p,
            await runtimeFor(p.name),
            schedules.find((s) => s.profile === p.name),
            progress.get(p.name),
            refusedSources.get(p.name),
          ),
        ),
      ),
    run: async (profile, runId) => (known(profile) ? (await runtimeFor(profile)).store.getRun(runId) : undefined),
    plan: async (profile, runId) => (known(profile) ? (await runtimeFor(profile)).store.plan(runId) : undefined),
    explain: async (profile, email) => (known(profile) ? explainPerson(await runtimeFor(profile), email) : undefined),
    changes: async (profile, runId, filter, offset, limit) =>
      known(profile) ? (await runtimeFor(profile)).store.audit.page(runId, filter, offset, limit) : undefined,
  };
}

/** `daemon.http.token` (named by tokenName) and the named `tokens`, each recorded by name on decisions. */
function httpTokens(config: Config): NamedToken[] {
  const { token, tokenName, tokens } = config.daemon.http;
  return [
    ...(token ? [{ name: tokenName ?? 'status-page', token }] : []),
    ...tokens.map((t) => ({ name: t.name, token: t.token! })),
  ];
}

/**
 * Approve / Reject from the page: claimed first (one decision per run, whoever clicks at once),
 * then queued for a sync worker; a claim that could not be queued is given back.
 */
function decider(
  config: Config,
  runtimeFor: (profile: string) => Promise<Runtime>,
  syncQueue: Queue<SyncJobData>,
  log: Logger,
  signal: AbortSignal,
): NonNullable<HttpDeps['decide']> {
  return async (profile, runId, action, by) => {
    if (!config.profiles.some((p) => p.name === profile)) return 'not-pending';
    const rt = await runtimeFor(profile);
    let claim: string;
    try {
      claim = await claimDecision(rt, runId, { action, by });
    } catch (err) {
      if (err instanceof DecisionTakenError) return { taken: err.message };
      if (err instanceof NotPendingError) return 'not-pending';
      throw err;
    }
    const queued = await enqueueTick(
      syncQueue,
      { profile, mode: 'full', tick: 'decision', decision: { runId, action, by, claim } },
      decisionJobId(profile, runId, claim),
      log,
      signal,
    ).catch(() => false);
    if (!queued) {
      await rt.store.releaseDecision(runId, claim).catch(() => {});
      throw new Error('Redis did not take the decision');
    }
    return 'queued';
  };
}
