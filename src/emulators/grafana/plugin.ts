import { fileURLToPath } from 'node:url';
import type { EmulatorPlugin } from '../index.js';
import { startGrafanaEmulatorFromArgs } from './cli.js';
import { DEFAULT_TOKEN } from './options.js';
import { createGrafanaEmulator } from './server.js';

/** `rostersync emulate --target grafana` and the Grafana part of `rostersync demo`. */
export const grafanaEmulatorPlugin: EmulatorPlugin = {
  defaultPort: 3000,
  flags: { 'grafana-version': { type: 'string' }, 'admin-user': { type: 'string' } },
  help: `  --grafana-version X.Y.Z --admin-user LOGIN
  Grafana's org, team and user API as Grafana 10/11 answers it (default version 11.3.0, no rate
  limit unless --rate-limit). The admin password comes from GRAFANA_ADMIN_PASSWORD (default
  "admin"), the org 1 service-account token from GRAFANA_TOKEN; the base URL is http://HOST:PORT.`,
  async start(shared, flags, env) {
    const emulator = await startGrafanaEmulatorFromArgs({
      ...shared,
      ...(typeof flags['grafana-version'] === 'string' ? { version: flags['grafana-version'] } : {}),
      ...(typeof flags['admin-user'] === 'string' ? { adminUser: flags['admin-user'] } : {}),
      ...(env.GRAFANA_ADMIN_PASSWORD ? { adminPassword: env.GRAFANA_ADMIN_PASSWORD } : {}),
      ...(env.GRAFANA_TOKEN ? { tokens: [{ token: env.GRAFANA_TOKEN, orgId: 1, role: 'Admin' as const }] } : {}),
    });
    return {
      summary: `Grafana emulator ${emulator.options.version} on ${emulator.url}; Ctrl-C stops it`,
      close: emulator.close,
    };
  },
  demoConfig: fileURLToPath(new URL('../../../config/sample-grafana.yaml', import.meta.url)),
  async startDemo() {
    const emulator = await createGrafanaEmulator({ adminPassword: 'demo-admin' });
    // People sign in through SSO before the sync finds them: the sample's staff already have accounts.
    const { readFileSync } = await import('node:fs');
    const people = readFileSync(fileURLToPath(new URL('../../../config/sample/people.csv', import.meta.url)), 'utf8')
      .trim()
      .split('\n')
      .slice(1);
    for (const line of people.slice(0, 50)) {
      const email = line.split(',')[1]!;
      if (!emulator.state.userByLoginOrEmail(email)) emulator.api.createUser({ login: email, email, name: email });
    }
    return {
      summary: `Grafana emulator ${emulator.options.version} on ${emulator.url}`,
      env: { GRAFANA_URL: emulator.url, GRAFANA_TOKEN: DEFAULT_TOKEN, GRAFANA_ADMIN_PASSWORD: 'demo-admin' },
      writes: () => emulator.stats().writes,
      describeState: () => {
        const org = emulator.dump().orgs[0]!;
        const roles = org.users.reduce<Record<string, number>>(
          (n, u) => ({ ...n, [u.role]: (n[u.role] ?? 0) + 1 }),
          {},
        );
        return `Grafana's ${org.name} now has ${org.users.length} users (${Object.entries(roles)
          .map(([r, n]) => `${n} ${r}`)
          .join(', ')}) in ${org.teams.length} teams.`;
      },
      tryItYourself: [
        'GRAFANA_TOKEN=glsa_demo npx rostersync emulate --target grafana --port 3000',
        'GRAFANA_TOKEN=glsa_demo npx rostersync plan --config config/sample-grafana.yaml',
      ],
      close: emulator.close,
    };
  },
};
