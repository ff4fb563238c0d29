import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, redactConfig } from '../../../src/config/load-config.js';
import { configError, minimal, scratch, chartioOf } from './helpers.js';

const { dir, write } = scratch();
const SECRET = 'Sup3r-s3cret-VALUE';

const ldapProfile = (auth: string) => `  - name: dir
    source:
      kind: ldap
      url: ldaps://ldap.example.com
      bindDn: cn=sync,dc=example,dc=com
      ${auth}
      people: { baseDn: "ou=people,dc=example,dc=com" }
      groups: { baseDn: "ou=groups,dc=example,dc=com" }
`;
const entraProfile = (auth: string) => `  - name: cloud
    source: { kind: entra, tenantId: t, clientId: c, ${auth} }
`;

describe('secret files', () => {
  it('loads <key>File into <key>, relative to the config, trimming one trailing newline', async () => {
    mkdirSync(join(dir, 'secrets'), { recursive: true });
    writeFileSync(join(dir, 'secrets', 'chartio'), `${SECRET}\n`);
    writeFileSync(join(dir, 'secrets', 'ldap'), 'ldap-pw\r\n');
    writeFileSync(join(dir, 'secrets', 'entra'), 'entra-secret\n\n');
    writeFileSync(join(dir, 'secrets', 'token'), 'http-token');
    const text = minimal('apiSecretFile: secrets/chartio', 'daemon:\n  http: { tokenFile: secrets/token }\n').replace(
      'profiles:\n',
      `profiles:\n${ldapProfile('bindPasswordFile: secrets/ldap')}${entraProfile('clientSecretFile: secrets/entra')}`,
    );

    const { config } = await loadConfig(write('files.yaml', text), {});

    expect(chartioOf(config).apiSecret).toBe(SECRET);
    expect(config.target).not.toHaveProperty('apiSecretFile');
    expect(config.daemon.http.token).toBe('http-token');
    expect(config.profiles[0]!.source).toMatchObject({ kind: 'ldap', bindPassword: 'ldap-pw' });
    expect(config.profiles[1]!.source).toMatchObject({ kind: 'entra', clientSecret: 'entra-secret\n' });
    expect(config.profiles[0]!.source).not.toHaveProperty('bindPasswordFile');
  });

  it('takes the file path from the environment too', async () => {
    writeFileSync(join(dir, 'from-env'), SECRET);

    const { config } = await loadConfig(write('env-file.yaml', minimal('apiSecretFile: ${SECRET_FILE}')), {
      SECRET_FILE: join(dir, 'from-env'),
    });

    expect(chartioOf(config).apiSecret).toBe(SECRET);
  });

  it('names the key and the file when the file cannot be read', async () => {
    const msg = await configError(loadConfig(write('nofile.yaml', minimal('apiSecretFile: nope.txt')), {}));

    expect(msg).toMatch(/nofile\.yaml:5:3: target\.apiSecretFile: cannot read the secret file nope\.txt \(ENOENT\)/);
  });

  it('refuses an empty secret file and both forms at once', async () => {
    writeFileSync(join(dir, 'empty'), '\n');
    const empty = await configError(loadConfig(write('empty-file.yaml', minimal('apiSecretFile: empty')), {}));
    const both = await configError(loadConfig(write('both.yaml', minimal('apiSecret: x\n  apiSecretFile: empty')), {}));

    expect(empty).toMatch(/empty-file\.yaml:5:3: target\.apiSecretFile: the secret file empty is empty/);
    expect(both).toMatch(/both\.yaml:6:3: target\.apiSecretFile: set either apiSecret or apiSecretFile, not both/);
  });

  it('reports a problem with a file secret at the file key, without its content', async () => {
    writeFileSync(join(dir, 'ldap-secret'), SECRET);
    const text = minimal('apiSecret: s').replace(
      'profiles:\n',
      `profiles:\n${ldapProfile('bindPasswordFile: ldap-secret\n      pageSize: 0')}`,
    );

    const msg = await configError(loadConfig(write('ldap-bad.yaml', text), {}));

    expect(msg).toMatch(/ldap-bad\.yaml:\d+:\d+: profiles\[0\]\.source\.pageSize: Too small/);
    expect(msg).not.toContain(SECRET);
  });

  it('does not treat other *File keys (paths, not secrets) as secrets', async () => {
    writeFileSync(join(dir, 'ca.pem'), 'not read by the loader');
    const text = minimal('apiSecret: s').replace(
      'profiles:\n',
      `profiles:\n${ldapProfile('bindPassword: pw\n      caFile: ca.pem')}`,
    );

    const { config } = await loadConfig(write('cafile.yaml', text), {});

    expect(config.profiles[0]!.source).toMatchObject({ caFile: 'ca.pem' });
  });

  it('never puts a secret in an error message', async () => {
    writeFileSync(join(dir, 'secret-file'), SECRET);
    mkdirSync(join(dir, 'a-directory'), { recursive: true });
    const scenarios: [string, Record<string, string>][] = [
      [minimal('apiSecret: ${SECRET}', `policy: { maxDeletes: lots }\n`), { SECRET }],
      [minimal(`apiSecret: [${SECRET}]`), {}],
      [minimal(`apiSecret: { nested: ${SECRET} }`), {}],
      [minimal(`apiSecret: ${SECRET}\n  apiSecrett: ${SECRET}`), {}],
      [minimal(`apiSecret: ${SECRET}`, `log: { level: ${SECRET} }\n`), {}],
      [minimal(`apiSecret: ${SECRET}`, `redis: { prefix: "${SECRET}!" }\n`), {}],
      [minimal('apiSecretFile: secret-file\n  timeoutMs: soon'), {}],
      [minimal('apiSecretFile: secret-file\n  apiSecret: ${SECRET}'), { SECRET }],
      [minimal('apiSecretFile: a-directory'), {}],
      [minimal(`apiSecret: "${SECRET}\${"`), {}],
      [`target: { kind: chartio, apiSecret: ${SECRET}\nprofiles: [`, {}],
    ];
    for (const [i, [text, env]] of scenarios.entries()) {
      const msg = await configError(loadConfig(write(`leak-${i}.yaml`, text), env));
      expect(msg, `scenario ${i}`).not.toContain(SECRET);
    }
  });
});

describe('redactConfig', () => {
  it('censors every secret and URL password, at any depth, and leaves the rest', async () => {
    writeFileSync(join(dir, 'pw'), SECRET);
    const text = minimal(
      'apiSecret: ${SECRET}',
      `redis: { url: "rediss://user:${SECRET}@redis:6380/0" }\ndaemon:\n  http: { token: "${SECRET}" }\n`,
    ).replace(
      'profiles:\n',
      `profiles:\n${ldapProfile('bindPasswordFile: pw')}${entraProfile(`clientSecret: ${SECRET}`)}`,
    );
    const { config } = await loadConfig(write('redact.yaml', text), { SECRET });

    const safe = redactConfig(config);

    expect(JSON.stringify(safe)).not.toContain(SECRET);
    expect(chartioOf(safe).apiSecret).toBe('[REDACTED]');
    expect(safe.redis.url).toBe('rediss://user:[REDACTED]@redis:6380/0');
    expect(safe.daemon.http.token).toBe('[REDACTED]');
    expect(safe.profiles[0]!.source).toMatchObject({ bindPassword: '[REDACTED]', bindDn: 'cn=sync,dc=example,dc=com' });
    expect(safe.profiles[1]!.source).toMatchObject({ clientSecret: '[REDACTED]', clientId: 'c' });
    expect(chartioOf(safe).apiKey).toBe('key');
    expect(chartioOf(config).apiSecret).toBe(SECRET);
  });
});
