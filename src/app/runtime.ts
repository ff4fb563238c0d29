import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { loadConfig } from '../config/load-config.js';
import { RostersyncError } from '../errors/index.js';
import { createLogger, type Logger } from '../log/logger.js';
import { OPS_QUEUE, type OpJobData } from '../queue/op-jobs.js';
import { startOpWorker } from '../queue/op-worker.js';
import { RateBudget } from '../queue/rate-budget.js';
import { budgetKey, queuePrefix } from '../store/keys.js';
import { Store } from '../store/store.js';
import { createSource } from '../sources/registry.js';
import { createTarget } from '../targets/registry.js';
import type { Op } from '../model/index.js';
import type { Worker } from 'bullmq';
import { pickProfile, type App } from './open-app.js';

/** Everything a sync needs: the app wiring plus Redis, the store, the shared budget and the queue. */
export interface Runtime extends App {
  redis: Redis;
  store: Store;
  budget: RateBudget;
  queue: Queue<OpJobData>;
  storeFor(profile: string): Store;
  /** Starts in-process workers on this runtime's queue; closed by close(). */
  startWorkers(opts?: { concurrency?: number; onOutcome?: (op: Op, outcome: string) => void }): Worker<OpJobData>;
  close(): Promise<void>;
}

export interface RuntimeOptions {
  profile?: string;
  log?: Logger;
  /** Observe every API answer (metrics, tests). */
  onResponse?: (info: { method: string; path: string; status: number }) => void;
}

export async function openRuntime(configPath: string, opts: RuntimeOptions = {}): Promise<Runtime> {
  const loaded = await loadConfig(configPath);
  const { config } = loaded;
  const log = opts.log ?? createLogger({ level: config.log.level });
  const profile = pickProfile(config, opts.profile);
  const redis = new Redis(config.redis.url, { lazyConnect: true, maxRetriesPerRequest: 3, connectTimeout: 5000 });
  redis.on('error', (err) => log.debug({ err: err.message }, 'redis connection error'));
  try {
    await redis.connect();
  } catch (err) {
    redis.disconnect();
    throw new RostersyncError('REDIS_UNAVAILABLE', `cannot reach Redis at ${config.redis.url.replace(/\/\/[^@]*@/, '//***@')}: ${(err as Error).message}`, { cause: err });
  }
  const prefix = config.redis.prefix;
  const host = new URL(config.target.baseUrl).host;
  const { max, duration, headroom } = config.target.rateLimit;
  const budget = new RateBudget(redis, budgetKey(prefix, host), { max, durationMs: duration, headroom });
  const queue = new Queue<OpJobData>(OPS_QUEUE, { connection: redis, prefix: queuePrefix(prefix) });
  queue.on('error', (err) => log.debug({ err: err.message }, 'op queue connection error'));
  const target = createTarget(config.target, {
    beforeRequest: () => budget.acquire(),
    onRateLimited: async (ms) => {
      log.warn({ retryAfterMs: ms }, 'target answered 429: pausing the budget and the queue');
      await budget.pause(ms);
      await queue.rateLimit(ms);
    },
    ...(opts.onResponse ? { onResponse: opts.onResponse } : {}),
  });
  const source = createSource(profile.source, {
    log: log.child({ profile: profile.name }), baseDir: loaded.baseDir, profile: profile.name, redis, keyPrefix: `${prefix}:{${prefix}:${profile.name}}:`,
  });
  const stores = new Map<string, Store>();
  const storeFor = (name: string) => {
    let s = stores.get(name);
    if (!s) stores.set(name, (s = new Store(redis, prefix, name, config.queue.keepRuns)));
    return s;
  };
  const workers: Worker<OpJobData>[] = [];
  const workerConnections: Redis[] = [];
  return {
    config, configPath: loaded.path, baseDir: loaded.baseDir, profile, log, source, target,
    redis, budget, queue, storeFor, store: storeFor(profile.name),
    startWorkers(o = {}) {
      const connection = redis.duplicate({ maxRetriesPerRequest: null });
      workerConnections.push(connection);
      const w = startOpWorker({
        connection, queuePrefix: queuePrefix(prefix), queue, target, storeFor, log, concurrency: o.concurrency ?? config.queue.concurrency,
        ...(o.onOutcome ? { onOutcome: o.onOutcome } : {}),
      });
      workers.push(w);
      return w;
    },
    async close() {
      // close() waits for active jobs with no time limit, and a later close(true) returns that same
      // pending promise (BullMQ 6.7): give them 10 s, then drop the connections; the jobs' locks
      // expire and they return to the queue.
      await Promise.all(workers.map((w) => Promise.race([w.close(), new Promise((r) => setTimeout(r, 10_000).unref())])));
      // With Redis gone, closing could wait forever: bound it.
      await Promise.race([queue.close(), new Promise((r) => setTimeout(r, 5000).unref())]);
      await source.close?.();
      for (const c of workerConnections) c.disconnect();
      redis.disconnect();
    },
  };
}
