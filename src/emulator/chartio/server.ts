import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dumpState, type EmulatorDump } from './dump.js';
import { FaultDice, SlidingWindowLimiter } from './faults.js';
import { Hrefs } from './hal.js';
import { initialState, preload } from './initial-state.js';
import { EmulatorOptionError, resolveOptions } from './options.js';
import { handleRequest } from './pipeline.js';
import type { ResourceStore } from './resources.js';
import type { OrgStore } from './store.js';
import type { ChartioEmulatorOptions, EmulatorStats, PreloadData, RequestLogEntry, ResolvedOptions } from './types.js';

export interface ChartioEmulator {
  /** `http://127.0.0.1:PORT`; a client's baseUrl is `${url}/v1`. */
  readonly url: string;
  readonly port: number;
  readonly options: Readonly<ResolvedOptions>;
  /** Live users and teams (direct state API for tests); replaced by reset(). */
  readonly state: OrgStore;
  /** Live dashboards and datasources with permissions; replaced by reset(). */
  readonly resources: ResourceStore;
  /** Every request, oldest first (bounded by maxLogEntries); cleared in place by reset(). */
  readonly requestLog: RequestLogEntry[];
  stats(): EmulatorStats;
  /** Bulk-load users, teams, dashboards and datasources without HTTP or caps. */
  preload(data: PreloadData): void;
  dump(): EmulatorDump;
  /** Back to the initial org (owner, options' preload), empty log, zero stats, fresh rate window and PRNG. */
  reset(): void;
  /** Change behaviour live (rates, latency, caps, credentials, rate limit). port and host are fixed once listening. */
  setOptions(partial: Omit<ChartioEmulatorOptions, 'port' | 'host'>): void;
  close(): Promise<void>;
}

const emptyStats = (): EmulatorStats => ({
  requests: 0, reads: 0, writes: 0, writesApplied: 0, rateLimited: 0, injected5xx: 0, appliedThen5xx: 0, resets: 0, byStatus: {},
});

/** A strict, in-memory Chartio Admin API on 127.0.0.1 (seed 001), with fault injection for tests. */
export async function createChartioEmulator(input: ChartioEmulatorOptions = {}): Promise<ChartioEmulator> {
  let options = resolveOptions(input);
  let { store, resources } = initialState(options);
  let hrefs = new Hrefs(options.hrefBase, options.org);
  const newLimiter = () => (options.rateLimit === false ? undefined : new SlidingWindowLimiter(options.rateLimit, options.now));
  let limiter = newLimiter();
  const dice = new FaultDice(() => options);
  const stats = emptyStats();
  const log: RequestLogEntry[] = [];

  const deps = {
    options: () => options, store: () => store, resources: () => resources, hrefs: () => hrefs, limiter: () => limiter, dice, stats, log,
  };
  const server: Server = createServer((req, res) => {
    handleRequest(deps, req, res).catch((err: unknown) => {
      options.logger.error({ err }, 'chartio emulator request failed');
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' }).end('{"message":"The server encountered an error."}');
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${options.host.includes(':') ? `[${options.host}]` : options.host}:${port}`;
  options.logger.debug({ url, org: options.org }, 'chartio emulator listening');

  return {
    url,
    port,
    get options() {
      return options;
    },
    get state() {
      return store;
    },
    get resources() {
      return resources;
    },
    requestLog: log,
    stats: () => ({ ...stats, byStatus: { ...stats.byStatus } }),
    preload: (data) => preload(store, resources, data),
    dump: () => dumpState(options.org, store, resources),
    reset() {
      ({ store, resources } = initialState(options));
      log.length = 0;
      Object.assign(stats, emptyStats());
      limiter = newLimiter();
      dice.reseed(options.seed);
    },
    setOptions(partial) {
      const p = partial as ChartioEmulatorOptions;
      if (p.port !== undefined || p.host !== undefined) throw new EmulatorOptionError('port and host cannot change while listening');
      const before = options;
      options = resolveOptions(partial, options);
      if (options.rateLimit !== before.rateLimit) limiter = newLimiter();
      if (options.seed !== before.seed) dice.reseed(options.seed);
      if (options.org !== before.org || options.hrefBase !== before.hrefBase) hrefs = new Hrefs(options.hrefBase, options.org);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
