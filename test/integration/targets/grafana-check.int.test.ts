import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exitCodeOf } from '../../../src/cli/cli.js';
import { EXIT } from '../../../src/cli/exit-codes.js';
import { createGrafanaEmulator, DEFAULT_TOKEN, type GrafanaEmulator } from '../../../src/emulators/grafana/index.js';
import { pathKey } from '../../../src/config/key-path.js';
import { keysUnder, type ValueOrigin } from '../../../src/config/origins.js';
import { ConfigError } from '../../../src/errors/index.js';
import { untrustedCert } from '../../support/fake-graph/untrusted-cert.js';
import { GrafanaTarget, grafanaTargetSchema } from '../../../src/targets/grafana/index.js';

const ADMIN_PASSWORD = 'check-admin-pw-4e1';
const OPS_TOKEN = 'glsa_ops_token_7c2';
let emu: GrafanaEmulator;

const target = (over: Record<string, unknown> = {}) =>
  new GrafanaTarget(
    grafanaTargetSchema.parse({
      kind: 'grafana',
      baseUrl: emu.url,
      token: DEFAULT_TOKEN,
      orgTokens: { Ops: OPS_TOKEN },
      admin: { user: 'admin', password: ADMIN_PASSWORD },
      timeoutMs: 5000,
      ...over,
    }),
    { readAttempts: 1 },
  );
const failure = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: unknown) => e as Error,
  );

beforeAll(async () => {
  emu = await createGrafanaEmulator({
    adminPassword: ADMIN_PASSWORD,
    tokens: [
      { token: DEFAULT_TOKEN, orgId: 1, role: 'Admin' },
      { token: OPS_TOKEN, orgId: 2, role: 'Admin' },
    ],
  });
  emu.api.createOrg('Ops');
});
afterAll(() => emu.close());

describe('Grafana check (validate) proves every credential the sync will use', () => {
  it('passes when the token, each org token and the server admin are accepted', async () => {
    await expect(target().check()).resolves.toBeUndefined();
  });

  it('names every refused credential by its key in one config error (exit 78), never the secret', async () => {
    const err = await failure(
      target({
        token: 'glsa_wrong_default',
        orgTokens: { Ops: 'glsa_wrong_ops' },
        admin: { user: 'admin', password: 'wrong-pw-88' },
      }).check(),
    );

    expect(err).toBeInstanceOf(ConfigError);
    expect(exitCodeOf(err)).toBe(EXIT.config);
    expect(err.message.split('\n')).toEqual([
      'target.token: Grafana refused the service-account token (GET /api/org -> 401: Invalid API key); fix target.token',
      'target.orgTokens.Ops: Grafana refused the service-account token of org "Ops" (GET /api/org -> 401: Invalid API key); fix target.orgTokens.Ops',
      'target.admin.password: Grafana refused the server admin "admin" (GET /api/users/search?perpage=1&page=1 -> 401: Invalid username or password); fix target.admin.password (or target.admin.user "admin")',
    ]);
    expect(err.message).not.toMatch(/glsa_wrong|wrong-pw-88/);
  });

  it('checks the org tokens even when the default token is good, and names a token keyed by the wrong org', async () => {
    const err = await failure(target({ orgTokens: { Ops: 'glsa_wrong_ops', Finance: OPS_TOKEN } }).check());

    expect(err.message.split('\n')).toEqual([
      'target.orgTokens.Ops: Grafana refused the service-account token of org "Ops" (GET /api/org -> 401: Invalid API key); fix target.orgTokens.Ops',
      'target.orgTokens.Finance: the token belongs to org "Ops" (id 2), not "Finance"',
    ]);
  });

  it("names a named target's keys, and the variable or secret file a refused value came from", async () => {
    const origins = new Map<string, ValueOrigin>([
      [pathKey(['targets', 'eu', 'token']), { kind: 'env', names: ['GRAFANA_EU_TOKEN'] }],
      [
        pathKey(['targets', 'eu', 'admin', 'password']),
        { kind: 'file', fileKey: ['targets', 'eu', 'admin', 'passwordFile'], file: '/run/secrets/grafana-admin' },
      ],
    ]);
    const config = grafanaTargetSchema.parse({
      kind: 'grafana',
      baseUrl: emu.url,
      token: 'glsa_wrong_default',
      orgTokens: { Ops: OPS_TOKEN },
      admin: { user: 'admin', password: 'wrong-pw-89' },
      timeoutMs: 5000,
    });
    const err = await failure(
      new GrafanaTarget(config, { readAttempts: 1 }, keysUnder(origins, ['targets', 'eu'])).check(),
    );

    expect(exitCodeOf(err)).toBe(EXIT.config);
    expect(err.message.split('\n')).toEqual([
      'targets.eu.token: Grafana refused the service-account token (GET /api/org -> 401: Invalid API key); fix the environment variable $GRAFANA_EU_TOKEN (read by targets.eu.token)',
      'targets.eu.admin.password: Grafana refused the server admin "admin" (GET /api/users/search?perpage=1&page=1 -> 401: Invalid username or password); fix the file /run/secrets/grafana-admin (targets.eu.admin.passwordFile) (or targets.eu.admin.user "admin")',
    ]);
  });

  it('a server that does not answer is not a config error (exit 69)', async () => {
    const err = await failure(target({ baseUrl: 'http://127.0.0.1:9' }).check());

    expect(exitCodeOf(err)).toBe(EXIT.unavailable);
  });

  it('a certificate chain Node does not trust says TLS and points at NODE_EXTRA_CA_CERTS', async () => {
    const files = untrustedCert();
    const pem = { cert: readFileSync(files.cert), key: readFileSync(files.key) };
    const server = createServer(pem, (_req, res) => res.end('{}'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const err = await failure(target({ baseUrl: url }).check());

      expect(err.message).toBe(
        "GET /api/health: TLS failed (DEPTH_ZERO_SELF_SIGNED_CERT): the server's certificate chain is not trusted; give the CA that signed it to Node with NODE_EXTRA_CA_CERTS",
      );
    } finally {
      server.close();
    }
  });
});
