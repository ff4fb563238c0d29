import { fileURLToPath } from 'node:url';
import type { EmulatorPlugin } from '../index.js';
import { DEFAULT_KEY, DEFAULT_OWNER } from './options.js';
import { createAdminV3Emulator, startAdminV3EmulatorFromArgs } from './server.js';

/** `rostersync emulate --target adminv3` and the Admin API v3 part of `rostersync demo`. */
export const adminv3EmulatorPlugin: EmulatorPlugin = {
  defaultPort: 8093,
  flags: { 'owner-email': { type: 'string' }, 'accept-after': { type: 'string' } },
  help: `  --owner-email EMAIL --accept-after MS
  Admin API v3 (seed 002): users with one role (viewer < editor < admin), invitations (pending
  until accepted: after --accept-after ms, or POST /_emulator/accept-invitations), disable and
  delete, limit/offset paging, the {error: {code, message, status, request_id}} envelope, and a
  per-key limit of 1,000 a minute in fixed windows with X-RateLimit-* on every answer. The key
  comes from ADMINV3_TOKEN (default "${DEFAULT_KEY}"); it belongs to the owner, an admin. The base
  URL is http://HOST:PORT/v3.`,
  async start(shared, flags, env) {
    const acceptAfter = typeof flags['accept-after'] === 'string' ? Number(flags['accept-after']) : undefined;
    const emulator = await startAdminV3EmulatorFromArgs({
      ...shared,
      // The API's windows are fixed (X-RateLimit-Reset): a --rate-limit keeps that shape.
      ...(shared.rateLimit ? { rateLimit: { ...shared.rateLimit, fixed: true } } : {}),
      keys: [
        {
          key: env.ADMINV3_TOKEN ?? DEFAULT_KEY,
          email: typeof flags['owner-email'] === 'string' ? flags['owner-email'] : DEFAULT_OWNER,
          role: 'admin',
        },
      ],
      ...(acceptAfter !== undefined ? { acceptInvitationsAfterMs: acceptAfter } : {}),
    });
    return { summary: `Admin API v3 emulator on ${emulator.url}/v3; Ctrl-C stops it`, close: emulator.close };
  },
  demoConfig: fileURLToPath(new URL('../../../config/sample-adminv3.yaml', import.meta.url)),
  async startDemo() {
    const emulator = await createAdminV3Emulator({ acceptInvitationsAfterMs: 0 });
    return {
      summary: `Admin API v3 emulator on ${emulator.url}/v3`,
      env: { ADMINV3_URL: `${emulator.url}/v3`, ADMINV3_TOKEN: DEFAULT_KEY },
      writes: () => emulator.stats().writes,
      describeState: () => {
        const users = emulator.dump();
        const roles = users.reduce<Record<string, number>>((n, u) => ({ ...n, [u.role]: (n[u.role] ?? 0) + 1 }), {});
        return `The Admin API v3 workspace now has ${users.length} users (${Object.entries(roles)
          .map(([r, n]) => `${n} ${r}`)
          .join(', ')}).`;
      },
      tryItYourself: [
        'npx rostersync emulate --target adminv3 --port 8093',
        'npx rostersync plan --config config/sample-adminv3.yaml',
      ],
      close: emulator.close,
    };
  },
};
