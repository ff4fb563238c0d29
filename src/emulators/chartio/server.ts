import { EmulatorRuntime, listen } from '../index.js';
import { chartioDispatch, chartioHooks } from './dispatch.js';
import { dumpState, type EmulatorDump } from './dump.js';
import { Hrefs } from './hal.js';
import { initialState, preload } from './initial-state.js';
import { EmulatorOptionError, resolveOptions } from './options.js';
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

/** A strict, in-memory Chartio Admin API on 127.0.0.1 (seed 001), with fault injection for tests. */
export async function createChartioEmulator(input: ChartioEmulatorOptions = {}): Promise<ChartioEmulator> {
  const runtime = new EmulatorRuntime<ResolvedOptions>(resolveOptions(input), (partial, base) =>
    resolveOptions(partial, base),
  );
  let { store, resources } = initialState(runtime.options);
  let hrefs = new Hrefs(runtime.options.hrefBase, runtime.options.org);
  const reset = () => {
    ({ store, resources } = initialState(runtime.options));
    runtime.resetRuntime();
  };
  const deps = { options: () => runtime.options, store: () => store, resources: () => resources, hrefs: () => hrefs };
  const http = await listen(
    runtime,
    chartioHooks(reset),
    chartioDispatch(deps),
    runtime.options.host,
    runtime.options.port,
  );
  runtime.options.logger.debug({ url: http.url, org: runtime.options.org }, 'chartio emulator listening');

  return {
    url: http.url,
    port: http.port,
    get options() {
      return runtime.options;
    },
    get state() {
      return store;
    },
    get resources() {
      return resources;
    },
    requestLog: runtime.log,
    stats: () => runtime.statsSnapshot(),
    preload: (data) => preload(store, resources, data),
    dump: () => dumpState(runtime.options.org, store, resources),
    reset,
    setOptions(partial) {
      const p = partial as ChartioEmulatorOptions;
      if (p.port !== undefined || p.host !== undefined)
        throw new EmulatorOptionError('port and host cannot change while listening');
      const before = runtime.options;
      runtime.setOptions(partial);
      const o = runtime.options;
      if (o.org !== before.org || o.hrefBase !== before.hrefBase) hrefs = new Hrefs(o.hrefBase, o.org);
    },
    close: http.close,
  };
}
