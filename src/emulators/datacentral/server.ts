import { startEmulator, type EmulatorStats, type RequestLogEntry } from '../index.js';
import { dcDispatch, dcHooks } from './dispatch.js';
import { dcOptions } from './options.js';
import { DcStore } from './store.js';
import type { DcEmulatorOptions, ResolvedDcOptions } from './types.js';

export interface DcDump {
  /** By email, sorted: role names as stored, units as paths ("Sales/EMEA"), sorted. */
  users: { email: string; type: string; firstName: string; lastName: string; roles: string[]; units: string[] }[];
  units: { path: string; entraGroupId: string | null }[];
  roles: { name: string; type: string }[];
}

export interface DcEmulator {
  /** `http://127.0.0.1:PORT/v1`: a client's baseUrl. */
  readonly url: string;
  readonly port: number;
  readonly options: Readonly<ResolvedDcOptions>;
  /** Live tenant state (users, roles, units); replaced by reset(). */
  readonly state: DcStore;
  readonly requestLog: RequestLogEntry[];
  stats(): EmulatorStats;
  dump(): DcDump;
  /** Back to the System roles and the owner only; empty log, zero stats, fresh rate window and PRNG. */
  reset(): void;
  setOptions(partial: Omit<DcEmulatorOptions, 'port' | 'host'>): void;
  close(): Promise<void>;
}

/** A strict, in-memory tenant admin API on 127.0.0.1, with the shared fault and rate-limit knobs. */
export function createDcEmulator(input: DcEmulatorOptions = {}): Promise<DcEmulator> {
  return startEmulator<ResolvedDcOptions, DcStore, Pick<DcEmulator, 'state' | 'dump'>>(
    {
      name: 'datacentral',
      ...dcOptions,
      initialState: (o) => new DcStore(o.now, o.ownerEmail),
      hooks: dcHooks,
      dispatch: (live) => dcDispatch({ options: live.options, store: live.state }),
      urlPath: '/v1',
      expose: (live) => ({
        get state() {
          return live.state();
        },
        dump: () => dumpOf(live.state()),
      }),
    },
    input,
  );
}

export function dumpOf(store: DcStore): DcDump {
  const path = (id: string): string => {
    const u = store.units.get(id);
    if (!u) return id;
    return u.parentId === 'root' ? u.name : `${path(u.parentId)}/${u.name}`;
  };
  const byEmail = (a: { email: string }, b: { email: string }) => (a.email < b.email ? -1 : a.email > b.email ? 1 : 0);
  return {
    users: [...store.users.values()]
      .map((u) => ({
        email: u.email,
        type: u.type,
        firstName: u.firstName,
        lastName: u.lastName,
        roles: [...u.roles].sort(),
        units: u.organizationUnits.map(path).sort(),
      }))
      .sort(byEmail),
    units: [...store.units.values()]
      .map((u) => ({ path: path(u.id), entraGroupId: u.entraGroupId }))
      .sort((a, b) => (a.path < b.path ? -1 : 1)),
    roles: [...store.roles.values()].map((r) => ({ name: r.name, type: r.type })),
  };
}
