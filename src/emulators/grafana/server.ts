import { EmulatorRuntime, EmulatorOptionError, listen } from '../index.js';
import { grafanaDispatch, grafanaHooks } from './dispatch.js';
import { resolveGrafanaOptions } from './options.js';
import { GrafanaStateApi, initialStore, type GrafanaDump } from './state-api.js';
import type { GrafanaStore } from './store.js';
import type { EmulatorStats, GrafanaEmulatorOptions, RequestLogEntry, ResolvedGrafanaOptions } from './types.js';

export interface GrafanaEmulator {
  /** `http://127.0.0.1:PORT`; a client's baseUrl is this URL (paths start with /api). */
  readonly url: string;
  readonly port: number;
  readonly options: Readonly<ResolvedGrafanaOptions>;
  /** Live orgs, users and teams; replaced by reset(). */
  readonly state: GrafanaStore;
  /** Direct state changes for tests (create orgs, SSO-style users, roles, teams, members). */
  readonly api: GrafanaStateApi;
  /** Every request, oldest first (bounded by maxLogEntries); cleared in place by reset(). */
  readonly requestLog: RequestLogEntry[];
  stats(): EmulatorStats;
  dump(): GrafanaDump;
  /** Back to org 1 with the admin only, empty log, zero stats, fresh rate window and PRNG. */
  reset(): void;
  /** Change behaviour live; port and host are fixed once listening. */
  setOptions(partial: Omit<GrafanaEmulatorOptions, 'port' | 'host'>): void;
  close(): Promise<void>;
}

/** A strict, in-memory Grafana 10/11 org, team and user API on 127.0.0.1, with fault injection for tests. */
export async function createGrafanaEmulator(input: GrafanaEmulatorOptions = {}): Promise<GrafanaEmulator> {
  const runtime = new EmulatorRuntime<ResolvedGrafanaOptions>(resolveGrafanaOptions(input), (p, base) =>
    resolveGrafanaOptions(p, base),
  );
  let store = initialStore(runtime.options);
  const reset = () => {
    store = initialStore(runtime.options);
    runtime.resetRuntime();
  };
  const stateApi = new GrafanaStateApi(
    () => store,
    () => runtime.options,
  );
  const deps = { options: () => runtime.options, store: () => store };
  const http = await listen(
    runtime,
    grafanaHooks(reset),
    grafanaDispatch(deps),
    runtime.options.host,
    runtime.options.port,
  );
  runtime.options.logger.debug({ url: http.url, version: runtime.options.version }, 'grafana emulator listening');

  return {
    url: http.url,
    port: http.port,
    get options() {
      return runtime.options;
    },
    get state() {
      return store;
    },
    api: stateApi,
    requestLog: runtime.log,
    stats: () => runtime.statsSnapshot(),
    dump: () => stateApi.dump(),
    reset,
    setOptions(partial) {
      const p = partial as GrafanaEmulatorOptions;
      if (p.port !== undefined || p.host !== undefined)
        throw new EmulatorOptionError('port and host cannot change while listening');
      runtime.setOptions(partial);
    },
    close: http.close,
  };
}
