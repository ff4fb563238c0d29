import { AuditStream } from '../audit/audit-stream.js';
import { scrubberFor, type Scrub } from '../log/scrub-secrets.js';
import { Queue, type Worker } from 'bullmq';
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { targetOf, type Config } from '../config/schema.js';
import { loadConfig } from '../config/load-config.js';
import { ConfigError, RedisUnavailableError } from '../errors/index.js';
import type { RedisConfig } from '../config/redis-schema.js';
import { createLogger, type Logger } from '../log/logger.js';
import type { LogFormat } from '../log/text-format.js';
import { maskUrl } from '../log/mask-url.js';
import type { Op } from '../model/index.js';
import { OPS_QUEUE, type OpJobData } from '../queue/op-jobs.js';
import { startOpWorker } from '../queue/op-worker.js';
import { RateBudget } from '../queue/rate-budget.js';
import { parseRateHeaders } from '../queue/server-window.js';
import { budgetKey, queuePrefix } from '../store/keys.js';
import { crossSlotProblems, keyLayout } from '../store/key-slots.js';
import { Store } from '../store/store.js';
import { sourceStateKeys } from '../sources/registry.js';
import type { HttpHooks } from '../targets/http/http-client.js';
import { createTarget } from '../targets/registry.js';
import type { Target } from '../targets/target.js';
import { Outbox } from '../notify/outbox.js';
import { pickProfile, targetKeys, wireApp, type App } from './open-app.js';

/** Everything a sync needs: the app wiring plus Redis, the store, the target's budget and the queue. */
export interface Runtime extends App {
  redis: Redis;
  store: Store;
  /** The profile's target budget; undefined where the target has no limit. */
  budget?: RateBudget;
  queue: Queue<OpJobData>;
  storeFor(profile: string): Store;
  /** A new connection to the same Redis (Sentinel set or Cluster), for a blocking consumer; closed by close(). */
  newConnection(): Redis;
  /** The target a profile syncs into, with its own budget (ops of any profile may reach a worker). */
  targetFor(profile: string): Target;
  /** Starts in-process workers on this runtime's queue; closed by close(). */
  startWorkers(opts?: {
    concurrency?: number;
    onOutcome?: (op: Op, outcome: string, profile: string) => void;
  }): Worker<OpJobData>;
  /** Aborted, with a RedisUnavailableError as its reason, once Redis stayed away past the outage bound. */
  redisLost: AbortSignal;
  /** The error to report for a failure: the Redis outage behind it when there was one, else the error itself. */
  explain(err: unknown): unknown;
  /** Notifications in flight, sent apart from the runs they report; close() bounds and abandons them. */
  outbox: Outbox;
  /** The audit stream's sinks (log lines, file, webhook through the outbox). */
  audit: AuditStream;
  close(): Promise<void>;
}

export interface RuntimeOptions {
  profile?: string;
  log?: Logger;
  /** How the logger made here writes (unused with `log`). @defaultValue 'json' */
  logFormat?: LogFormat;
  /** Observe every API answer, with the name of the target that gave it (metrics, tests). */
  onResponse?: (info: { target: string; method: string; path: string; status: number }) => void;
  /**
   * How long Redis may stay unreachable mid-run: commands wait (and resend) while it is away, and
   * past this bound every connection gives up and `redisLost` aborts. One-shot commands pass
   * REDIS_OUTAGE_MS; the daemon keeps reconnecting (its /readyz says Redis is down).
   * @defaultValue Infinity
   */
  redisOutageMs?: number;
  /** Where the audit stream's lines go: `stdout` for the daemon, whose stdout carries nothing else. @defaultValue 'log' */
  auditOut?: 'stdout' | 'log';
}

/** What the one-shot commands ride out: a restart, a Sentinel failover. Longer is an outage (exit 69). */
export const REDIS_OUTAGE_MS = 30_000;

/**
 * Config, then Redis: every config problem is found before a connection opens, and a failure
 * after Redis connected closes what was opened, so no command is left hanging.
 */
export async function openRuntime(configPath: string, opts: RuntimeOptions = {}): Promise<Runtime> {
  const loaded = await loadConfig(configPath);
  const { config } = loaded;
  const log = opts.log ?? createLogger({ level: config.log.level }, opts.logFormat);
  const prefix = config.redis.prefix;
  const where = describeRedis(config.redis);
  const outage = outageGuard(where, opts.redisOutageMs ?? Infinity, log);
  checkKeyLayout(config, log);
  const open = () => {
    const c = openRedis(config.redis, outage.retryStrategy);
    c.on('ready', outage.recovered);
    return c;
  };
  const redis = open();
  redis.on('error', (err) => log.debug({ err: err.message }, 'redis connection error'));
  const queueRef: { queue?: Queue<OpJobData> } = {};
  const budgets = budgetWiring(redis, prefix, log, opts.onResponse, () => queueRef.queue);
  const app = await connectApp(loaded, redis, budgets, {
    log,
    where,
    ...(opts.profile ? { profile: opts.profile } : {}),
  });
  const queue = new Queue<OpJobData>(OPS_QUEUE, { connection: redis, prefix: queuePrefix(prefix) });
  queue.on('error', (err) => log.debug({ err: err.message }, 'op queue connection error'));
  queueRef.queue = queue;
  const storeFor = storeCache(redis, prefix, config.queue.keepRuns, scrubberFor(config));
  const targetFor = targetCache(config, app, budgets);
  const workers: Worker<OpJobData>[] = [];
  const workerConnections: Redis[] = [];
  const budget = budgets.of(app.targetName);
  const { outbox, audit } = senders(app, log, opts.auditOut ?? 'log');
  return {
    ...app,
    redis,
    queue,
    storeFor,
    targetFor,
    store: storeFor(app.profile.name),
    ...(budget ? { budget } : {}),
    newConnection() {
      const connection = open();
      connection.on('error', (err) => log.debug({ err: err.message }, 'redis connection error'));
      workerConnections.push(connection);
      return connection;
    },
    startWorkers(o = {}) {
      const connection = open();
      workerConnections.push(connection);
      const w = startOpWorker({
        connection,
        queuePrefix: queuePrefix(prefix),
        queue,
        targetFor,
        storeFor,
        log,
        concurrency: o.concurrency ?? config.queue.concurrency,
        budgetBacklog: async (profile) => {
          targetFor(profile);
          return (await budgets.of(targetOf(config, pickProfile(config, profile)).name)?.backlogMs()) ?? 0;
        },
        ...(o.onOutcome ? { onOutcome: o.onOutcome } : {}),
      });
      workers.push(w);
      return w;
    },
    redisLost: outage.signal,
    explain: (err) => outage.signal.reason ?? err,
    outbox,
    audit,
    close: () =>
      outage.signal.aborted
        ? closeAfterOutage({ workers, workerConnections, queue, app, redis, outbox })
        : closeRuntime({ workers, workerConnections, queue, app, redis, outbox }),
  };
}

/** What the runtime sends apart from its runs: notifications (the outbox) and the audit stream through it. */
function senders(app: App, log: Logger, out: 'stdout' | 'log'): { outbox: Outbox; audit: AuditStream } {
  const outbox = new Outbox(log.child({ profile: app.profile.name }));
  return { outbox, audit: new AuditStream({ config: app.config.audit, baseDir: app.baseDir, out, log, outbox }) };
}

/** Every queue shares the prefix's hash tag, so the op queue stands for all of them. */
function checkKeyLayout(config: Config, log: Logger): void {
  const slots = crossSlotProblems(
    keyLayout(
      config.redis.prefix,
      config.profiles.map((p) => ({ name: p.name, sourceState: sourceStateKeys(p.source, p.name) })),
      [OPS_QUEUE],
      [],
    ),
  );
  if (slots.length > 0 && config.redis.cluster)
    throw new ConfigError(`redis.cluster: this key layout would cross slots: ${slots.join('; ')}`, 'redis.cluster');
  if (slots.length > 0) log.warn({ problems: slots }, 'key layout would cross slots on a Redis Cluster');
}

/** The budgets of the targets this runtime reaches, and the HTTP hooks that spend and steer them. */
interface BudgetWiring {
  hooksFor(targetName: string): HttpHooks;
  /** Takes a new target's budget: its hooks use it from now on. */
  register(targetName: string, target: Target): void;
  of(targetName: string): RateBudget | undefined;
}

function budgetWiring(
  redis: Redis,
  prefix: string,
  log: Logger,
  onResponse: RuntimeOptions['onResponse'],
  queue: () => Queue<OpJobData> | undefined,
): BudgetWiring {
  // One budget per target key, shared by every profile that syncs into it and every process.
  const budgets = new Map<string, RateBudget | undefined>();
  const budgetOf = (target: Target) => {
    const spec = target.budget;
    if (!budgets.has(spec.key))
      budgets.set(
        spec.key,
        spec.max > 0
          ? new RateBudget(redis, budgetKey(prefix, spec.key), {
              max: spec.max,
              durationMs: spec.durationMs,
              headroom: spec.headroom,
            })
          : undefined,
      );
    return budgets.get(spec.key);
  };
  const budgetRef = new Map<string, RateBudget | undefined>();
  /** Targets whose budget follows the server's X-RateLimit-* headers. */
  const followsHeaders = new Set<string>();
  return {
    hooksFor: (targetName) => ({
      beforeRequest: async () => budgetRef.get(targetName)?.acquire(),
      onHeaders: (headers) => {
        const budget = budgetRef.get(targetName);
        const window = budget && followsHeaders.has(targetName) ? parseRateHeaders(headers, Date.now()) : undefined;
        if (!window) return;
        // Not awaited: the answer goes on while Redis takes note; a lost note only means one less hint.
        budget!
          .observe(window)
          .catch((err: unknown) =>
            log.debug({ err: (err as Error).message }, 'rate budget: server window not recorded'),
          );
      },
      onRateLimited: async (ms) => {
        log.warn({ retryAfterMs: ms, target: targetName }, 'target answered 429: pausing the budget and the queue');
        await budgetRef.get(targetName)?.pause(ms);
        await queue()?.rateLimit(ms);
      },
      ...(onResponse ? { onResponse: (r) => onResponse({ ...r, target: targetName }) } : {}),
    }),
    register(targetName, target) {
      budgetRef.set(targetName, budgetOf(target));
      if (target.budget.followHeaders) followsHeaders.add(targetName);
    },
    of: (targetName) => budgetRef.get(targetName),
  };
}

/** The app (source, target) wired to the budgets, then Redis connected; a failure closes what was opened. */
async function connectApp(
  loaded: Awaited<ReturnType<typeof loadConfig>>,
  redis: Redis,
  budgets: BudgetWiring,
  o: { log: Logger; where: string; profile?: string },
): Promise<App> {
  let app: App;
  try {
    app = wireApp(loaded, {
      ...(o.profile ? { profile: o.profile } : {}),
      log: o.log,
      hooksFor: budgets.hooksFor,
      redis,
    });
  } catch (err) {
    redis.disconnect();
    throw err;
  }
  budgets.register(app.targetName, app.target);
  try {
    await redis.connect();
  } catch (err) {
    redis.disconnect();
    await app.source.close?.();
    throw new RedisUnavailableError(`cannot reach Redis at ${o.where}: ${(err as Error).message}`, { cause: err });
  }
  return app;
}

function storeCache(redis: Redis, prefix: string, keepRuns: number, scrub: Scrub): (profile: string) => Store {
  const stores = new Map<string, Store>();
  return (name) => {
    let s = stores.get(name);
    if (!s) stores.set(name, (s = new Store(redis, prefix, name, keepRuns, scrub)));
    return s;
  };
}

/** The target of any profile (ops of any profile may reach a worker), built once with its budget. */
function targetCache(config: Config, app: App, budgets: BudgetWiring): (profile: string) => Target {
  const targets = new Map<string, Target>([[app.targetName, app.target]]);
  return (profileName) => {
    const { name, config: tc } = targetOf(config, pickProfile(config, profileName));
    let t = targets.get(name);
    if (!t) {
      targets.set(name, (t = createTarget(tc, budgets.hooksFor(name), targetKeys(config, name))));
      budgets.register(name, t);
    }
    return t;
  };
}

interface RuntimeParts {
  workers: Worker<OpJobData>[];
  workerConnections: Redis[];
  queue: Queue<OpJobData>;
  app: App;
  redis: Redis;
  outbox: Outbox;
}

/** How long closing waits for notifications still in flight (each has its own deadline too) before abandoning them. */
export const NOTIFY_CLOSE_MS = 10_000;

async function closeRuntime({ workers, workerConnections, queue, app, redis, outbox }: RuntimeParts): Promise<void> {
  // The messages need no Redis: they go out alongside the rest of the close.
  const notified = outbox.close(NOTIFY_CLOSE_MS);
  // close() waits for active jobs with no time limit, and a later close(true) returns that same
  // pending promise (BullMQ 6.7): give them 10 s, then drop the connections; the jobs' locks
  // expire and they return to the queue.
  await Promise.all(workers.map((w) => Promise.race([w.close(), new Promise((r) => setTimeout(r, 10_000).unref())])));
  // With Redis gone, closing could wait forever: bound it.
  await Promise.race([queue.close(), new Promise((r) => setTimeout(r, 5000).unref())]);
  await app.source.close?.();
  for (const c of workerConnections) c.disconnect();
  redis.disconnect();
  await notified;
}

/** With Redis gone for good nothing can finish cleanly: force, briefly, and drop the connections. */
async function closeAfterOutage({
  workers,
  workerConnections,
  queue,
  app,
  redis,
  outbox,
}: RuntimeParts): Promise<void> {
  const brief = (p: Promise<unknown>) =>
    Promise.race([p.catch(() => {}), new Promise((r) => setTimeout(r, 1000).unref())]);
  await Promise.all(workers.map((w) => brief(w.close(true))));
  await brief(queue.close());
  await brief(Promise.resolve(app.source.close?.()));
  await outbox.close(1000);
  for (const c of workerConnections) c.disconnect();
  redis.disconnect();
}

/**
 * One clock for the outage of a runtime's connections (they all reach the same server): the first
 * failed reconnect starts it, a `ready` stops it. Past the bound every retryStrategy answers null,
 * so ioredis ends the connection and fails the commands waiting on it, and the signal aborts.
 */
function outageGuard(where: string, boundMs: number, log: Logger) {
  let since: number | undefined;
  let connected = false;
  const lost = new AbortController();
  return {
    signal: lost.signal,
    retryStrategy(times: number): number | null {
      // Before the first connection the command fails fast (exit 69) rather than waiting.
      if (lost.signal.aborted || !connected) return null;
      if (since === undefined) {
        since = Date.now();
        log.warn(
          { redis: where, giveUpAfterMs: Number.isFinite(boundMs) ? boundMs : undefined },
          'Redis connection lost: reconnecting',
        );
      }
      const away = Date.now() - since;
      if (away > boundMs) {
        lost.abort(
          new RedisUnavailableError(
            `Redis at ${where} has been unreachable for ${Math.round(away / 1000)} s, longer than the ${Math.round(boundMs / 1000)} s a command waits: stopped (an unfinished run stays in Redis; continue it with backfill --resume once Redis is back)`,
          ),
        );
        return null;
      }
      return Math.min(100 * times, 1000);
    },
    recovered() {
      connected = true;
      if (since !== undefined) log.warn({ redis: where, awayMs: Date.now() - since }, 'Redis connection back');
      since = undefined;
    },
  };
}

/** Where Redis is, for logs and errors: the URL with its password masked, or the Sentinel set / Cluster seeds. */
export function describeRedis(r: RedisConfig): string {
  if (r.sentinels) return `sentinel set ${r.name ?? ''} via ${r.sentinels.join(',')}`;
  if (r.cluster) return `cluster via ${r.cluster.join(',')}`;
  return maskUrl(r.url);
}

const hostPort = (n: string) => ({
  host: n.slice(0, n.lastIndexOf(':')),
  port: Number(n.slice(n.lastIndexOf(':') + 1)),
});

/**
 * The one connection factory: a lazy connection to the configured Redis (URL, Sentinel set or
 * Cluster). maxRetriesPerRequest null: a command waits through a reconnect or a failover instead
 * of failing after 20 tries; `retryStrategy` (the outage clock) ends the wait. A Cluster is handed
 * out typed as Redis: it answers the same commands, defined scripts and single-slot pipelines, and
 * BullMQ recognises it by its own flag. Never call duplicate() on the result (its signature differs
 * on a Cluster): ask the factory again.
 */
export function openRedis(r: RedisConfig, retryStrategy: (times: number) => number | null): Redis {
  const auth: RedisOptions = {
    ...(r.username ? { username: r.username } : {}),
    ...(r.password ? { password: r.password } : {}),
  };
  const common: RedisOptions = { lazyConnect: true, maxRetriesPerRequest: null, connectTimeout: 5000 };
  if (r.cluster) {
    const cluster = new Cluster(r.cluster.map(hostPort), {
      lazyConnect: true,
      clusterRetryStrategy: retryStrategy,
      redisOptions: { ...auth, maxRetriesPerRequest: null, connectTimeout: 5000, ...(r.tls ? { tls: {} } : {}) },
    });
    return cluster as unknown as Redis;
  }
  if (r.sentinels) {
    return new Redis({
      ...common,
      ...auth,
      retryStrategy,
      sentinels: r.sentinels.map(hostPort),
      name: r.name!,
      // Until the sentinels elect a new primary they still name the dead one: keep asking on the
      // outage clock rather than giving up after ioredis' default tries.
      sentinelRetryStrategy: retryStrategy,
      // No failoverDetector: in ioredis 5 its +switch-master disconnect can land while a reconnect is
      // asking the sentinels, which rejects every queued command ("Connection is closed") and leaves
      // the client ended for good. Sentinel itself kills the old primary's clients when it demotes
      // it, and on reconnect ioredis checks the role, so the failover is found without it; a write
      // answered READONLY (a primary demoted under us) reconnects and is sent again.
      reconnectOnError: (err: Error) => (err.message.startsWith('READONLY') ? 2 : false),
      ...(r.sentinelUsername ? { sentinelUsername: r.sentinelUsername } : {}),
      ...(r.sentinelPassword ? { sentinelPassword: r.sentinelPassword } : {}),
      ...(r.tls ? { tls: {}, enableTLSForSentinelMode: true } : {}),
      ...(r.sentinelTls ? { sentinelTLS: {} } : {}),
    });
  }
  return new Redis(r.url, { ...common, retryStrategy });
}
