import { startEmulator } from '../index.js';
import { scimDispatch, scimHooks } from './dispatch.js';
import { scimOptions } from './options.js';
import { groupDto, initialStore, userDto, type ScimStore } from './store.js';
import type { EmulatorStats, RequestLogEntry, ResolvedScimOptions, ScimEmulatorOptions } from './types.js';

export interface ScimEmulator {
  /** `http://127.0.0.1:PORT`; the SCIM root is this URL + `/scim/v2`. */
  readonly url: string;
  readonly port: number;
  readonly options: Readonly<ResolvedScimOptions>;
  /** Live users and groups; replaced by reset(). */
  readonly state: ScimStore;
  readonly requestLog: RequestLogEntry[];
  stats(): EmulatorStats;
  /** Users and groups as the API shows them, in creation order. */
  dump(): { users: ReturnType<typeof userDto>[]; groups: ReturnType<typeof groupDto>[] };
  reset(): void;
  setOptions(partial: Omit<ScimEmulatorOptions, 'port' | 'host'>): void;
  close(): Promise<void>;
}

/** A strict, in-memory SCIM 2.0 service provider (RFC 7643/7644) on 127.0.0.1, with fault injection. */
export function createScimEmulator(input: ScimEmulatorOptions = {}): Promise<ScimEmulator> {
  return startEmulator<ResolvedScimOptions, ScimStore, Pick<ScimEmulator, 'state' | 'dump'>>(
    {
      name: 'scim',
      ...scimOptions,
      initialState: initialStore,
      hooks: (reset) => scimHooks(reset),
      dispatch: (live) => scimDispatch({ options: live.options, store: live.state }),
      expose: (live) => ({
        get state() {
          return live.state();
        },
        dump: () => ({
          users: [...live.state().users.values()].map(userDto),
          groups: [...live.state().groups.values()].map((g) => groupDto(g, live.state().users)),
        }),
      }),
    },
    input,
  );
}
