import { createLogger, type Logger } from '../../log/logger.js';
import { createGrafanaEmulator, type GrafanaEmulator } from './server.js';
import type { GrafanaEmulatorOptions } from './types.js';

export type GrafanaEmulatorArgs = Omit<GrafanaEmulatorOptions, 'logger'> & { logger?: Logger };

/** Entry point of `rostersync emulate --target grafana`: logs where it listens, never a password or token. */
export async function startGrafanaEmulatorFromArgs(args: GrafanaEmulatorArgs = {}): Promise<GrafanaEmulator> {
  const { logger, ...options } = args;
  const log = logger ?? createLogger();
  const emulator = await createGrafanaEmulator({ ...options, logger: log });
  log.info(
    {
      baseUrl: emulator.url,
      version: emulator.options.version,
      adminUser: emulator.options.adminUser,
      defaultPassword: args.adminPassword === undefined,
      tokens: emulator.options.tokens.length,
      rateLimit: emulator.options.rateLimit,
    },
    'grafana emulator ready',
  );
  return emulator;
}
