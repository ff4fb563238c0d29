import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { wireApp } from '../../../src/app/open-app.js';
import { loadConfig } from '../../../src/config/load-config.js';
import { pathKey } from '../../../src/config/key-path.js';
import { keysUnder } from '../../../src/config/origins.js';
import { ConfigError, TargetHttpError, TargetNetworkError } from '../../../src/errors/index.js';
import { silentLogger } from '../../../src/log/logger.js';
import { refusedCredential } from '../../../src/targets/http/refused-credential.js';

const req = { method: 'GET', path: '/v3/users?limit=1' };

describe('refusedCredential', () => {
  it('turns a 401 into a config error naming the key to fix', () => {
    const err = refusedCredential(new TargetHttpError(401, 'invalid api key', req), 'target.token', 'the API key');

    expect(err).toBeInstanceOf(ConfigError);
    expect(err?.keyPath).toBe('target.token');
    expect(err?.message).toBe(
      'target.token: the target refused the API key (GET /v3/users?limit=1 -> 401: invalid api key); fix target.token',
    );
  });

  it('names where the value came from, and says what a 403 means', () => {
    const fix = 'the environment variable $ADMINV3_TOKEN (read by target.token)';
    expect(
      refusedCredential(new TargetHttpError(401, 'invalid api key', req), 'target.token', 'the API key', fix)?.message,
    ).toBe(
      'target.token: the target refused the API key (GET /v3/users?limit=1 -> 401: invalid api key); fix the environment variable $ADMINV3_TOKEN (read by target.token)',
    );
    expect(
      refusedCredential(new TargetHttpError(403, 'forbidden', req), 'target.token', 'the API key', fix)?.message,
    ).toBe(
      'target.token: the target refused the API key (GET /v3/users?limit=1 -> 403: forbidden); it signs in but may not make this call: give it the role the sync needs, or fix the environment variable $ADMINV3_TOKEN (read by target.token)',
    );
  });

  it('leaves other failures as they are', () => {
    expect(refusedCredential(new TargetHttpError(503, 'down', req), 'target.token', 'x')).toBeUndefined();
    expect(refusedCredential(new TargetNetworkError('reset', req), 'target.token', 'x')).toBeUndefined();
  });
});

describe('keysUnder', () => {
  it('names keys under a named target, and their variable or secret file (a whole-map file too)', () => {
    const origins = new Map([
      [pathKey(['targets', 'eu', 'token']), { kind: 'env' as const, names: ['EU_TOKEN'] }],
      [
        pathKey(['targets', 'eu', 'orgTokens']),
        { kind: 'file' as const, fileKey: ['targets', 'eu', 'orgTokensFile'], file: '/run/secrets/org-tokens' },
      ],
    ]);
    const keys = keysUnder(origins, ['targets', 'eu']);

    expect(keys.name(['admin', 'password'])).toBe('targets.eu.admin.password');
    expect(keys.fix(['admin', 'password'])).toBe('targets.eu.admin.password');
    expect(keys.fix(['token'])).toBe('the environment variable $EU_TOKEN (read by targets.eu.token)');
    expect(keys.fix(['orgTokens', 'Ops'])).toBe('the file /run/secrets/org-tokens (targets.eu.orgTokensFile)');
  });
});

/**
 * validate's check of every target kind, wired from a loaded config: a refused credential names
 * its key under `targets.<name>` and the variable or secret file its value came from.
 */
describe('a refused target credential names where its value came from, for every target kind', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cred-targets-'));
    await writeFile(join(dir, 'dc.key'), 'wrong-dc-key-5\n');
    await writeFile(join(dir, 'grafana-admin.pw'), 'wrong-admin-pw-6\n');
    // Every call is refused, but Grafana's health check answers.
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string | URL) =>
        String(url).endsWith('/api/health')
          ? Response.json({ version: '11.0.0' })
          : Response.json({ message: 'invalid credentials' }, { status: 401 }),
      ),
    );
  });
  afterEach(async () => {
    vi.unstubAllGlobals();
    await rm(dir, { recursive: true, force: true });
  });

  it('chartio, grafana, datacentral, adminv3', async () => {
    const path = join(dir, 'rostersync.yaml');
    await writeFile(
      path,
      [
        'targets:',
        '  chart: { kind: chartio, baseUrl: "http://127.0.0.1:9/v1", org: acme, apiKey: key, apiSecret: "${CHARTIO_SECRET}" }',
        '  graf:',
        '    kind: grafana',
        '    baseUrl: "http://127.0.0.1:9"',
        '    token: "${GRAFANA_TOKEN}"',
        '    admin: { user: admin, passwordFile: grafana-admin.pw }',
        '  dc: { kind: datacentral, baseUrl: "http://127.0.0.1:9/api", tokenFile: dc.key }',
        '  a3: { kind: adminv3, baseUrl: "http://127.0.0.1:9/v3", token: "${ADMINV3_TOKEN}" }',
        'profiles:',
        ...['chart', 'graf', 'dc', 'a3'].flatMap((t) => [
          `  - name: p-${t}`,
          `    target: ${t}`,
          '    source: { kind: csv, path: people.csv }',
        ]),
        '',
      ].join('\n'),
    );
    const loaded = await loadConfig(path, {
      CHARTIO_SECRET: 'wrong-chartio-1',
      GRAFANA_TOKEN: 'wrong-grafana-2',
      ADMINV3_TOKEN: 'wrong-adminv3-3',
    });
    const refusal = async (profile: string) => {
      const err = await wireApp(loaded, { log: silentLogger, profile, hooksFor: () => ({ readAttempts: 1 }) }).target
        .check!().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err, profile).toBeInstanceOf(ConfigError);
      expect((err as Error).message).not.toMatch(/wrong-/);
      return (err as Error).message.split('\n');
    };

    expect(await refusal('p-chart')).toEqual([
      expect.stringMatching(
        /^targets\.chart\.apiKey \/ targets\.chart\.apiSecret: the target refused the API key and secret \(GET .* -> 401.*\); fix targets\.chart\.apiKey or the environment variable \$CHARTIO_SECRET \(read by targets\.chart\.apiSecret\)$/,
      ),
    ]);
    expect(await refusal('p-graf')).toEqual([
      expect.stringMatching(
        /^targets\.graf\.token: Grafana refused the service-account token \(GET \/api\/org -> 401.*\); fix the environment variable \$GRAFANA_TOKEN \(read by targets\.graf\.token\)$/,
      ),
      expect.stringMatching(
        /^targets\.graf\.admin\.password: Grafana refused the server admin "admin" \(.* -> 401.*\); fix the file grafana-admin\.pw \(targets\.graf\.admin\.passwordFile\) \(or targets\.graf\.admin\.user "admin"\)$/,
      ),
    ]);
    expect(await refusal('p-dc')).toEqual([
      expect.stringMatching(
        /^targets\.dc\.token: the target refused the API key \(GET .* -> 401.*\); fix the file dc\.key \(targets\.dc\.tokenFile\)$/,
      ),
    ]);
    expect(await refusal('p-a3')).toEqual([
      expect.stringMatching(
        /^targets\.a3\.token: the target refused the API key \(GET .* -> 401.*\); fix the environment variable \$ADMINV3_TOKEN \(read by targets\.a3\.token\)$/,
      ),
    ]);
  });
});
