import { startEmulator } from '../index.js';
import { createLogger, type Logger } from '../../log/logger.js';
import { adminv3Dispatch, adminv3Hooks } from './dispatch.js';
import { adminv3Options } from './options.js';
import { dto, initialStore, type AdminV3Store } from './store.js';
import type { AdminV3EmulatorOptions, EmulatorStats, RequestLogEntry, ResolvedAdminV3Options } from './types.js';

export interface AdminV3Emulator {
  /** `http://127.0.0.1:PORT`; a client's baseUrl is this URL + `/v3`. */
  readonly url: string;
  readonly port: number;
  readonly options: Readonly<ResolvedAdminV3Options>;
  /** Live users; replaced by reset(). */
  readonly state: AdminV3Store;
  /** Every request, oldest first (bounded by maxLogEntries); cleared in place by reset(). */
  readonly requestLog: RequestLogEntry[];
  stats(): EmulatorStats;
  /** Users as the API shows them, in creation order. */
  dump(): ReturnType<typeof dto>[];
  /** Back to the keys' users only, empty log, zero stats, fresh rate window and PRNG. */
  reset(): void;
  setOptions(partial: Omit<AdminV3EmulatorOptions, 'port' | 'host'>): void;
  close(): Promise<void>;
}

/** A strict, in-memory Admin API v3 (users, roles, invitations) on 127.0.0.1, with fault injection for tests. */
export function createAdminV3Emulator(input: AdminV3EmulatorOptions = {}): Promise<AdminV3Emulator> {
  return startEmulator<ResolvedAdminV3Options, AdminV3Store, Pick<AdminV3Emulator, 'state' | 'dump'>>(
    {
      name: 'adminv3',
      ...adminv3Options,
      initialState: initialStore,
      hooks: (reset, live) => adminv3Hooks(reset, { options: live.options, store: live.state }),
      dispatch: (live) => adminv3Dispatch({ options: live.options, store: live.state }),
      expose: (live) => ({
        get state() {
          return live.state();
        },
        dump: () => [...live.state().users.values()].map(dto),
      }),
    },
    input,
  );
}

/** Entry point of `rostersync emulate --target adminv3`: logs where it listens, never a key. */
export async function startAdminV3EmulatorFromArgs(
  args: Omit<AdminV3EmulatorOptions, 'logger'> & { logger?: Logger } = {},
): Promise<AdminV3Emulator> {
  const { logger, ...options } = args;
  const log = logger ?? createLogger();
  const emulator = await createAdminV3Emulator({ ...options, logger: log });
  log.info(
    {
      baseUrl: `${emulator.url}/v3`,
      keys: emulator.options.keys.length,
      rateLimit: emulator.options.rateLimit,
      acceptInvitationsAfterMs: emulator.options.acceptInvitationsAfterMs,
    },
    'adminv3 emulator ready',
  );
  return emulator;
}
