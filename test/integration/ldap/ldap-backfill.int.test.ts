import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createChartioEmulator, type ChartioEmulator } from '../../../src/emulators/chartio/index.js';
import { teamsState } from '../../support/conformance/chartio.js';
import { runCli } from '../../support/target-harness.js';

const ldap = inject('ldap');
let emulator: ChartioEmulator;
let configPath: string;

beforeAll(async () => {
  emulator = await createChartioEmulator({ org: 'acme', apiKey: 'key', apiSecret: 'emu-secret', rateLimit: false });
  const dir = mkdtempSync(join(tmpdir(), 'rostersync-ldap-e2e-'));
  configPath = join(dir, 'config.yaml');
  writeFileSync(
    configPath,
    JSON.stringify({
      redis: { url: inject('redisUrl'), prefix: `ldap-e2e-${Date.now()}` },
      target: {
        kind: 'chartio',
        baseUrl: `${emulator.url}/v1`,
        org: 'acme',
        apiKey: 'key',
        apiSecret: 'emu-secret',
        rateLimit: { max: 100_000, duration: 1000, headroom: 1 },
      },
      log: { level: 'info' },
      profiles: [
        {
          name: 'corp',
          source: {
            kind: 'ldap',
            url: ldap.url,
            startTls: true,
            caFile: ldap.caFile,
            bindDn: ldap.bindDn,
            bindPassword: '${LDAP_BIND_PASSWORD}',
            people: { baseDn: `ou=people,${ldap.suffix}` },
            groups: { baseDn: `ou=groups,${ldap.suffix}` },
            disabled: { attribute: 'employeeType', values: ['disabled'] },
          },
          mapping: {
            include: ['/^(team-\\d+|engineering|platform|sre)$/'],
            rules: [{ match: '^(.+)$', team: 'LDAP $1' }],
          },
        },
      ],
    }),
  );
});
afterAll(() => emulator.close());

describe('backfill from OpenLDAP into the emulator', () => {
  it('reaches the desired state, a second run writes nothing, and the bind password is in no log line', async () => {
    const env = { LDAP_BIND_PASSWORD: ldap.password, LOG_LEVEL: 'trace' };
    const first = await runCli(['backfill', '--config', configPath], { env });
    expect(first.code).toBe(0);
    const state = teamsState(emulator);
    expect(Object.keys(state).filter((t) => t.startsWith('LDAP team-'))).toHaveLength(50);
    // team-k holds users k*100..k*100+99, less the disabled ones (every 50th) and the ppolicy-locked ones (user96).
    expect(state['LDAP team-0']).toHaveLength(97);
    expect(state['LDAP team-0']).not.toContain('user49@example.com');
    expect(state['LDAP team-0']).not.toContain('user96@example.com');
    // Nesting: sre is in platform is in engineering.
    expect(state['LDAP engineering']).toEqual([
      'user0@example.com',
      'user1@example.com',
      'user2@example.com',
      'user3@example.com',
    ]);
    expect(state['LDAP sre']).toEqual(['user2@example.com', 'user3@example.com']);
    expect(first.stdout + first.stderr).not.toContain(ldap.password);

    const writes = emulator.stats().writes;
    const second = await runCli(['backfill', '--config', configPath], { env });
    expect(second.code).toBe(0);
    expect(emulator.stats().writes).toBe(writes);
    expect(second.stdout + second.stderr).not.toContain(ldap.password);
  });
});
