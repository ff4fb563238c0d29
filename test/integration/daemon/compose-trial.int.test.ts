import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openApp } from '../../../src/app/open-app.js';
import { startDaemon, type Daemon } from '../../../src/daemon/daemon.js';
import { enqueueTick, SYNC_QUEUE, type SyncJobData } from '../../../src/daemon/scheduler.js';
import { createChartioEmulator, type ChartioEmulator } from '../../../src/emulators/chartio/index.js';
import { silentLogger } from '../../../src/log/logger.js';
import { mapDirectory } from '../../../src/mapping/index.js';
import { queuePrefix } from '../../../src/store/keys.js';
import { freePort } from '../../../src/store/redis-server.js';
import { stopProcess, waitListening } from '../../support/processes.js';
import { teamsState } from '../../support/conformance/chartio.js';
import { ROOT } from '../../support/target-harness.js';
import { sampleLdif } from './trial-directory.js';

// docker compose cannot run here: this runs the trial's pieces without it. The OpenLDAP image's own
// start script with its seed directory, the trial config as mounted, the emulator as the compose
// service runs it; only the host names become loopback ports (through the config's ${VAR:-default}s).
const TRIAL = join(ROOT, 'docker/trial');
const env = { ...process.env };
let slapd: ChildProcess;
let dataDir: string;
let emulator: ChartioEmulator;
let daemon: Daemon;
let prefix: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'rostersync-trial-ldap-'));
  const ldapPort = await freePort();
  slapd = spawn('sh', [join(ROOT, 'docker/openldap/start.sh')], {
    env: {
      ...process.env,
      PATH: `${process.env.PATH}:/usr/sbin`,
      LDAP_DATA_DIR: dataDir,
      LDAP_HOST: '127.0.0.1',
      LDAP_PORT: String(ldapPort),
      LDAP_SEED_LDIF: join(ROOT, 'docker/openldap/sample.ldif'),
      LDAP_ADMIN_PASSWORD_FILE: join(TRIAL, 'secrets/ldap_admin_password'),
    },
    stdio: 'ignore',
  });
  await waitListening(ldapPort, 15_000, () => slapd.exitCode !== null, 'trial slapd');
  emulator = await createChartioEmulator({
    org: 'trial-org',
    apiKey: 'trial-key',
    apiSecret: readFileSync(join(TRIAL, 'secrets/chartio_api_secret'), 'utf8').trim(),
    rateLimit: false,
  });
  prefix = `trial-${process.pid}-${Date.now().toString(36)}`;
  Object.assign(process.env, {
    REDIS_URL: inject('redisUrl'),
    ROSTERSYNC_PREFIX: prefix,
    CHARTIO_BASE_URL: `${emulator.url}/v1`,
    LDAP_URL: `ldap://127.0.0.1:${ldapPort}`,
    CHARTIO_API_SECRET_FILE: join(TRIAL, 'secrets/chartio_api_secret'),
    LDAP_BIND_PASSWORD_FILE: join(TRIAL, 'secrets/ldap_admin_password'),
    ROSTERSYNC_HTTP_HOST: '127.0.0.1',
    ROSTERSYNC_HTTP_TOKEN_FILE: join(TRIAL, 'secrets/rostersync_http_token'),
  });
  daemon = await startDaemon(join(TRIAL, 'config.yaml'), { log: silentLogger, port: 0 });
});

afterAll(async () => {
  await daemon?.close();
  await emulator?.close();
  if (slapd) await stopProcess(slapd, (s) => slapd.kill(s));
  rmSync(dataDir, { recursive: true, force: true });
  process.env = env;
});

describe('the compose trial', () => {
  it('ships the CSV sample as its LDAP directory', () => {
    expect(readFileSync(join(ROOT, 'docker/openldap/sample.ldif'), 'utf8')).toBe(sampleLdif(ROOT));
  });

  it('syncs the OpenLDAP directory into the emulator: the same teams the CSV sample maps to', async () => {
    const token = readFileSync(join(TRIAL, 'secrets/rostersync_http_token'), 'utf8').trim();
    expect((await fetch(`${daemon.url}/readyz`)).status).toBe(401);
    expect((await fetch(`${daemon.url}/readyz`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    const queue = new Queue<SyncJobData>(SYNC_QUEUE, {
      connection: { url: inject('redisUrl') },
      prefix: queuePrefix(prefix),
    });
    try {
      await enqueueTick(
        queue,
        { profile: 'directory', mode: 'full', tick: 'manual' },
        'directory.manual-trial',
        silentLogger,
      );
      await expect
        .poll(async () => (await queue.getJob('directory.manual-trial'))?.returnvalue, {
          timeout: 30_000,
          interval: 200,
        })
        .toBe('succeeded');
    } finally {
      await queue.close();
    }
    // Expected: the CSV sample read by the CSV source, mapped with the trial's own mapping.
    const csv = await openApp(join(ROOT, 'config/sample.yaml'), { log: silentLogger });
    const trial = await openApp(join(TRIAL, 'config.yaml'), { log: silentLogger });
    const desired = mapDirectory((await csv.source.read({ mode: 'full' })).snapshot, trial.profile.mapping);
    const expected: Record<string, string[]> = {};
    for (const t of desired.teams) expected[t.name] = [];
    for (const p of desired.people) for (const t of p.teams) expected[t]!.push(p.email);
    const actual = teamsState(emulator);
    expect(Object.keys(expected).length).toBeGreaterThan(5);
    for (const [team, members] of Object.entries(expected)) expect(actual[team], team).toEqual(members.sort());
  });
});
