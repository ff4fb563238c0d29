import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { wireApp } from '../../../src/app/open-app.js';
import { exitCodeOf } from '../../../src/cli/cli.js';
import { EXIT } from '../../../src/cli/exit-codes.js';
import { loadConfig } from '../../../src/config/load-config.js';
import { ConfigError, SourceReadError } from '../../../src/errors/index.js';
import { silentLogger } from '../../../src/log/logger.js';
import { EntraSource } from '../../../src/sources/entra/index.js';
import type { SourceDeps } from '../../../src/sources/source.js';
import { entraSourceSchema } from '../../../src/sources/entra/schema.js';
import { startFakeGraph, type FakeGraph } from '../../support/fake-graph/server.js';
import { untrustedCert } from '../../support/fake-graph/untrusted-cert.js';

const SECRET = 'messages-secret-5d2';
const tls = inject('tls');
const redisUrl = inject('redisUrl');
const GUID = '0b1f0c3e-5c3a-4d2e-9a55-2f1d8c6b7e41';
let graph: FakeGraph;

const source = (over: Record<string, unknown> = {}, url = graph.url, deps: Partial<SourceDeps> = {}) =>
  new EntraSource(
    entraSourceSchema.parse({
      kind: 'entra',
      tenantId: 't1',
      clientId: 'c1',
      clientSecret: SECRET,
      authorityHost: url,
      graphBaseUrl: url,
      groups: { displayNamePrefix: 'rs-' },
      retryBaseMs: 10,
      ...over,
    }),
    { log: silentLogger, baseDir: '/', profile: 'entra', ...deps },
  );
const failure = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: unknown) => e as SourceReadError,
  );

beforeAll(async () => {
  graph = await startFakeGraph({ tenantId: 't1', clientId: 'c1', clientSecret: SECRET, cert: tls.cert, key: tls.key });
  for (let i = 0; i < 30; i++)
    graph.dir.addUser({
      id: `u${i}`,
      displayName: `U${i}`,
      mail: `u${i}@corp.test`,
      userPrincipalName: `u${i}@corp.test`,
    });
  graph.dir.addGroup(GUID, 'rs-platform', ['u0', 'u1']);
  graph.dir.addGroup('g-b', 'rs-b', ['u2']);
});
afterAll(async () => {
  await graph.close();
});
beforeEach(() => {
  graph.faults.deny = undefined;
});

describe('Entra messages an operator can act on', () => {
  it('a refused secret keeps the whole AADSTS text and both ids, names the key to fix and exits 78', async () => {
    const err = await failure(source({ clientSecret: 'wrong-secret-77' }).read({ mode: 'full' }));
    expect(err.code).toBe('SOURCE_AUTH_FAILED');
    expect(err.message).toMatch(
      /AADSTS7000215: Invalid client secret provided\. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app 'c1'\. \(trace id [0-9a-f-]{36}, correlation id [0-9a-f-]{36}\); fix profiles\.entra\.source\.clientSecret$/,
    );
    expect(err.message).not.toMatch(/Timestamp|wrong-secret-77|messages-secret/);
    expect(exitCodeOf(err)).toBe(EXIT.config);
  });

  it('a refused secret from ${VAR} or clientSecretFile names the variable or the file, not the value', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'entra-msg-'));
    const write = async (secret: string) => {
      await writeFile(join(dir, 'entra.secret'), 'wrong-from-file-91\n');
      const path = join(dir, 'rostersync.yaml');
      await writeFile(
        path,
        [
          'target: { kind: grafana, baseUrl: "http://127.0.0.1:3000", token: t }',
          'profiles:',
          '  - name: hr',
          '    source:',
          '      kind: entra',
          '      tenantId: t1',
          '      clientId: c1',
          `      ${secret}`,
          `      authorityHost: ${graph.url}`,
          `      graphBaseUrl: ${graph.url}`,
          '      groups: { displayNamePrefix: rs- }',
          '      maxRetries: 0',
          '    mapping: { rules: [{ match: "rs-(.*)", team: "${1}" }] }',
          '',
        ].join('\n'),
      );
      return path;
    };
    try {
      const fromEnv = wireApp(
        await loadConfig(await write('clientSecret: ${ENTRA_SECRET}'), { ENTRA_SECRET: 'wrong-from-env-42' }),
        { log: silentLogger },
      );
      const envErr = await failure(fromEnv.source.read({ mode: 'full' }));
      expect(envErr.message).toMatch(
        /; fix the environment variable \$ENTRA_SECRET \(read by profiles\.hr\.source\.clientSecret\)$/,
      );
      expect(envErr.message).not.toMatch(/wrong-from-env-42/);

      const fromFile = wireApp(await loadConfig(await write('clientSecretFile: entra.secret'), {}), {
        log: silentLogger,
      });
      const fileErr = await failure(fromFile.source.read({ mode: 'full' }));
      expect(fileErr.message).toMatch(/; fix the file entra\.secret \(profiles\.hr\.source\.clientSecretFile\)$/);
      expect(fileErr.message).not.toMatch(/wrong-from-file-91/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('an untrusted certificate says TLS at once and is not retried', async () => {
    const bad = untrustedCert();
    const rogue = await startFakeGraph({ tenantId: 't1', clientId: 'c1', clientSecret: SECRET, ...bad });
    try {
      const started = Date.now();
      const err = await failure(source({ retryBaseMs: 1000 }, rogue.url).read({ mode: 'full' }));
      expect(err.code).toBe('SOURCE_TLS_UNTRUSTED');
      expect(err.message).toMatch(
        /TLS: the certificate of 127\.0\.0\.1:\d+ is not trusted \(DEPTH_ZERO_SELF_SIGNED_CERT\)/,
      );
      expect(err.message).toMatch(/NODE_EXTRA_CA_CERTS/);
      expect(Date.now() - started).toBeLessThan(3_000);
    } finally {
      await rogue.close();
    }
  });

  it('an authority that does not answer is retried, then named as unreachable (not as TLS or a bad secret)', async () => {
    const gone = await startFakeGraph({
      tenantId: 't1',
      clientId: 'c1',
      clientSecret: SECRET,
      cert: tls.cert,
      key: tls.key,
    });
    const url = gone.url;
    await gone.close();
    const err = await failure(source({ maxRetries: 1 }, url).read({ mode: 'full' }));
    expect(err.code).toBe('SOURCE_READ_FAILED');
    expect(err.message).toMatch(/after 2 tries: cannot reach the identity platform at 127\.0\.0\.1:\d+/);
  });

  it('a graphBaseUrl ending in /v1.0/ is normalised at config load and reads', async () => {
    const config = entraSourceSchema.parse({
      kind: 'entra',
      tenantId: 't1',
      clientId: 'c1',
      clientSecret: SECRET,
      authorityHost: graph.url,
      graphBaseUrl: `${graph.url}/v1.0/`,
    });
    expect(config.graphBaseUrl).toBe(graph.url);
    const read = await source({ graphBaseUrl: `${graph.url}/v1.0` }).read({ mode: 'full' });
    expect(read.snapshot.people).toHaveLength(3);
  });

  it('a 403 on group members names GroupMember.Read.All, once, without retrying', async () => {
    graph.faults.deny = /transitiveMembers/;
    const before = graph.log.length;
    const err = await failure(source().read({ mode: 'full' }));
    expect(err.code).toBe('SOURCE_PERMISSION_DENIED');
    expect(err.message).toMatch(/403 Authorization_RequestDenied: Insufficient privileges to complete the operation\./);
    expect(err.message).toMatch(/application permission GroupMember\.Read\.All with admin consent/);
    expect(err.message).toMatch(/request-id [0-9a-f-]{36}/);
    expect(err.message).not.toMatch(/authentication failed/);
    expect(graph.log.slice(before).filter((r) => r.status === 403).length).toBeLessThanOrEqual(2);
  });

  it('a 403 on /users names User.Read.All', async () => {
    graph.faults.deny = /^\/users\?/;
    const err = await failure(source({ users: 'all' }).read({ mode: 'full' }));
    expect(err.code).toBe('SOURCE_PERMISSION_DENIED');
    expect(err.message).toMatch(/GET \/users with 403.*User\.Read\.All/);
  });

  it('check() flags a group name given as an id, naming the config key', async () => {
    const err = await failure(source({ groups: { ids: [GUID, 'BI Platform'] } }).check());
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toMatch(/profiles\.entra\.source\.groups\.ids\[1\]: "BI Platform" looks like a group name/);
    expect(err.message).not.toMatch(/ids\[0\]/);
  });

  it('check() passes for ids that exist and names an id the tenant does not know', async () => {
    await expect(source({ groups: { ids: [GUID] } }).check()).resolves.toBeUndefined();
    const other = '11111111-2222-3333-4444-555555555555';
    const err = await failure(source({ groups: { ids: [GUID, other] } }).check());
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toMatch(/groups\.ids\[1\] \(11111111-2222-3333-4444-555555555555\)/);
  });

  it('a read with a name in groups.ids stops with the message validate gives, naming the key', async () => {
    const err = await failure(source({ groups: { ids: [GUID, 'BI Platform'] } }).read({ mode: 'full' }));
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toMatch(/^profiles\.entra\.source\.groups\.ids\[1\]: "BI Platform" looks like a group name/);
    expect(err.message).not.toMatch(/ids\[0\]/);
  });

  it('a read with an id never found stops naming the key; a group found before and deleted since is the vanished case', async () => {
    const redis = new Redis(redisUrl);
    const keyPrefix = `entra-scope-${process.pid}-${Date.now()}:`;
    const other = '11111111-2222-3333-4444-555555555555';
    const kept = (ids: string[]) => source({ groups: { ids } }, graph.url, { redis, keyPrefix });
    try {
      // Never read: a typo or another tenant's id stops the read (plan, backfill and every tick read this way).
      const err = await failure(kept([GUID, other]).read({ mode: 'full' }));
      expect(err).toBeInstanceOf(ConfigError);
      expect(err.message).toBe(
        `profiles.entra.source: no group with these ids in the tenant: groups.ids[1] (${other})`,
      );

      // Read once, then deleted in the tenant: the read succeeds without it (its team is emptied, and said so).
      graph.dir.addGroup(other, 'rs-gone', ['u3']);
      const first = await kept([GUID, other]).read({ mode: 'full' });
      expect(first.snapshot.groups.map((g) => g.name).sort()).toEqual(['rs-gone', 'rs-platform']);
      graph.dir.removeGroup(other);
      const second = await kept([GUID, other]).read({ mode: 'full' });
      expect(second.snapshot.groups.map((g) => g.name)).toEqual(['rs-platform']);
    } finally {
      const keys = await redis.keys(`${keyPrefix}*`);
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
    }
  });
});
