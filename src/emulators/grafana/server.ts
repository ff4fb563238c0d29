import { startEmulator } from '../index.js';
import { grafanaDispatch, grafanaHooks } from './dispatch.js';
import { grafanaOptions } from './options.js';
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
export function createGrafanaEmulator(input: GrafanaEmulatorOptions = {}): Promise<GrafanaEmulator> {
  return startEmulator<ResolvedGrafanaOptions, GrafanaStore, Pick<GrafanaEmulator, 'state' | 'api' | 'dump'>>(
    {
      name: 'grafana',
      ...grafanaOptions,
      initialState: initialStore,
      hooks: grafanaHooks,
      dispatch: (live) => grafanaDispatch({ options: live.options, store: live.state }),
      describe: (o) => ({ version: o.version }),
      expose(live) {
        const api = new GrafanaStateApi(live.state, live.options);
        return {
          get state() {
            return live.state();
          },
          api,
          dump: () => api.dump(),
        };
      },
    },
    input,
  );
}
