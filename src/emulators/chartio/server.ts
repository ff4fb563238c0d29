import { startEmulator } from '../index.js';
import { chartioDispatch, chartioHooks } from './dispatch.js';
import { dumpState, type EmulatorDump } from './dump.js';
import { Hrefs } from './hal.js';
import { initialState, preload, type ChartioState } from './initial-state.js';
import { chartioOptions } from './options.js';
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
export function createChartioEmulator(input: ChartioEmulatorOptions = {}): Promise<ChartioEmulator> {
  // HAL hrefs follow the org and hrefBase options; rebuilt when a live change moves them.
  let hrefs: Hrefs | undefined;
  return startEmulator<
    ResolvedOptions,
    ChartioState,
    Pick<ChartioEmulator, 'state' | 'resources' | 'preload' | 'dump'>
  >(
    {
      name: 'chartio',
      ...chartioOptions,
      initialState,
      hooks: chartioHooks,
      dispatch: (live) =>
        chartioDispatch({
          options: live.options,
          store: () => live.state().store,
          resources: () => live.state().resources,
          hrefs: () => (hrefs ??= new Hrefs(live.options().hrefBase, live.options().org)),
        }),
      describe: (o) => ({ org: o.org }),
      optionsChanged(before, o) {
        if (o.org !== before.org || o.hrefBase !== before.hrefBase) hrefs = undefined;
      },
      expose: (live) => ({
        get state() {
          return live.state().store;
        },
        get resources() {
          return live.state().resources;
        },
        preload: (data) => preload(live.state().store, live.state().resources, data),
        dump: () => dumpState(live.options().org, live.state().store, live.state().resources),
      }),
    },
    input,
  );
}
