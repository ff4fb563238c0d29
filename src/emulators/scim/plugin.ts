import { fileURLToPath } from 'node:url';
import type { EmulatorPlugin } from '../index.js';
import { DEFAULT_TOKEN } from './options.js';
import { createScimEmulator } from './server.js';

/** `rostersync emulate --target scim`. */
export const scimEmulatorPlugin: EmulatorPlugin = {
  defaultPort: 8094,
  flags: { bulk: { type: 'string' } },
  help: `  --bulk MAXOPS
  A strict SCIM 2.0 service provider (RFC 7643/7644): /Users, /Groups, /ServiceProviderConfig,
  /ResourceTypes, /Schemas, PATCH, filters userName/displayName eq, startIndex/count paging, and
  /Bulk with --bulk MAXOPS. The token comes from SCIM_TOKEN (default "${DEFAULT_TOKEN}"). The base
  URL is http://HOST:PORT/scim/v2.`,
  async start(shared, flags, env) {
    const maxOps = typeof flags.bulk === 'string' ? Number(flags.bulk) : undefined;
    const emulator = await createScimEmulator({
      ...shared,
      token: env.SCIM_TOKEN ?? DEFAULT_TOKEN,
      ...(maxOps !== undefined ? { bulk: { maxOperations: maxOps, maxPayloadSize: 1_000_000 } } : {}),
    });
    return { summary: `SCIM emulator on ${emulator.url}/scim/v2; Ctrl-C stops it`, close: emulator.close };
  },
  demoConfig: fileURLToPath(new URL('../../../config/sample-scim.yaml', import.meta.url)),
  async startDemo() {
    const emulator = await createScimEmulator();
    return {
      summary: `SCIM emulator on ${emulator.url}/scim/v2`,
      env: { SCIM_URL: `${emulator.url}/scim/v2`, SCIM_TOKEN: DEFAULT_TOKEN },
      writes: () => emulator.stats().writes,
      describeState: () => {
        const d = emulator.dump();
        return `The SCIM server now has ${d.users.length} users and ${d.groups.length} groups.`;
      },
      tryItYourself: [
        'npx rostersync emulate --target scim --port 8094',
        'npx rostersync plan --config config/sample-scim.yaml',
      ],
      close: emulator.close,
    };
  },
};
