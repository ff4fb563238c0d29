import { fileURLToPath } from 'node:url';
import type { EmulatorPlugin } from '../index.js';
import { createLogger } from '../../log/logger.js';
import { DEFAULT_API_KEY } from './options.js';
import { createDcEmulator } from './server.js';

/** `rostersync emulate --target datacentral` and the DataCentral part of `rostersync demo`. */
export const datacentralEmulatorPlugin: EmulatorPlugin = {
  defaultPort: 3100,
  flags: { 'owner-email': { type: 'string' } },
  help: `  --owner-email EMAIL
  The DataCentral tenant admin API (users, roles, organizational units) with every status of the
  contract (docs/targets-datacentral.md). The tenant key comes from DATACENTRAL_API_KEY (default
  "${DEFAULT_API_KEY}"); the base URL is http://HOST:PORT/v1. No rate limit unless --rate-limit.`,
  async start(shared, flags, env) {
    const logger = createLogger();
    const emulator = await createDcEmulator({
      port: shared.port,
      host: shared.host,
      logger,
      ...(shared.rateLimit !== undefined ? { rateLimit: shared.rateLimit } : {}),
      ...(shared.latencyMs !== undefined ? { latencyMs: shared.latencyMs } : {}),
      ...(shared.errorRate !== undefined ? { errorRate: shared.errorRate } : {}),
      ...(shared.seed !== undefined ? { seed: shared.seed } : {}),
      ...(typeof flags['owner-email'] === 'string' ? { ownerEmail: flags['owner-email'] } : {}),
      ...(env.DATACENTRAL_API_KEY ? { apiKey: env.DATACENTRAL_API_KEY } : {}),
    });
    logger.info(
      { baseUrl: emulator.url, defaultKey: !env.DATACENTRAL_API_KEY, rateLimit: emulator.options.rateLimit },
      'datacentral emulator ready',
    );
    return { summary: `DataCentral emulator on ${emulator.url}; Ctrl-C stops it`, close: emulator.close };
  },
  demoConfig: fileURLToPath(new URL('../../../config/sample-datacentral.yaml', import.meta.url)),
  async startDemo() {
    const emulator = await createDcEmulator();
    return {
      summary: `DataCentral emulator on ${emulator.url}`,
      env: { DATACENTRAL_URL: emulator.url, DATACENTRAL_API_KEY: DEFAULT_API_KEY },
      writes: () => emulator.stats().writes,
      describeState: () => {
        const d = emulator.dump();
        return `The tenant now has ${d.users.length} users in ${d.units.length} organizational units, with ${d.roles.length} roles.`;
      },
      tryItYourself: [
        'npx rostersync emulate --target datacentral --port 3100',
        'DATACENTRAL_URL=http://127.0.0.1:3100/v1 npx rostersync plan --config config/sample-datacentral.yaml',
      ],
      close: emulator.close,
    };
  },
};
