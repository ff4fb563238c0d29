import { fileURLToPath } from 'node:url';
import type { EmulatorPlugin } from '../index.js';
import { startEmulatorFromArgs } from './cli.js';
import { createChartioEmulator } from './server.js';

/** `rostersync emulate --target chartio` and the Chartio part of `rostersync demo`. */
export const chartioEmulatorPlugin: EmulatorPlugin = {
  defaultPort: 8089,
  flags: { org: { type: 'string' }, 'api-key': { type: 'string' }, preload: { type: 'string' } },
  help: `  --org SLUG --api-key KEY --preload FILE
  The Chartio Admin API (seed 001 statuses, HAL paging, caps, per-IP rate limit). The API secret
  comes from CHARTIO_API_SECRET (default "emulator-secret"); the base URL is http://HOST:PORT/v1.`,
  async start(shared, flags, env) {
    const emulator = await startEmulatorFromArgs({
      ...shared,
      ...(typeof flags.org === 'string' ? { org: flags.org } : {}),
      ...(typeof flags['api-key'] === 'string' ? { apiKey: flags['api-key'] } : {}),
      ...(env.CHARTIO_API_SECRET ? { apiSecret: env.CHARTIO_API_SECRET } : {}),
      ...(typeof flags.preload === 'string' ? { preloadFile: flags.preload } : {}),
    });
    return {
      summary: `Chartio emulator on ${emulator.url}/v1 (org "${emulator.options.org}"); Ctrl-C stops it`,
      close: emulator.close,
    };
  },
  demoConfig: fileURLToPath(new URL('../../../config/sample.yaml', import.meta.url)),
  async startDemo() {
    const emulator = await createChartioEmulator({
      org: 'demo-org',
      apiKey: 'demo-key',
      apiSecret: 'demo-secret',
      ownerEmail: 'ada.lovelace@example.com',
      // What the sample's access rules grant on (config/sample.yaml, docs/access.md).
      preload: {
        dashboards: ['Sales - Pipeline', 'Sales - Forecast', 'Finance - Costs', 'Company KPIs'].map((title) => ({
          title,
        })),
        datasources: [{ alias: 'Data Warehouse' }],
      },
    });
    return {
      summary: `Chartio emulator on ${emulator.url}/v1 (org demo-org)`,
      env: { CHARTIO_BASE_URL: `${emulator.url}/v1`, CHARTIO_API_SECRET: 'demo-secret' },
      writes: () => emulator.stats().writes,
      describeState: () => {
        const dump = emulator.dump();
        const grants = [...dump.dashboards, ...dump.datasources].reduce((n, r) => n + r.permissions.length, 0);
        return `The Chartio org now has ${dump.users.length} users in ${dump.teams.length} teams, and ${grants} team permissions on dashboards and data sources.`;
      },
      tryItYourself: [
        'CHARTIO_API_SECRET=demo-secret npx rostersync emulate --port 8089 --org demo-org --api-key demo-key',
        'npx rostersync plan --config config/sample.yaml',
      ],
      close: emulator.close,
    };
  },
};
