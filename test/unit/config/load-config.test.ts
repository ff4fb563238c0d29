import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, redactConfig } from '../../../src/config/load-config.js';
import { configJsonSchema } from '../../../src/config/json-schema.js';
import { ConfigError } from '../../../src/errors/index.js';

const dir = mkdtempSync(join(tmpdir(), 'rostersync-config-'));
const write = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const minimal = (target = 'apiSecret: ${SECRET}') => `target:
  kind: chartio
  org: acme
  apiKey: key
  ${target}
profiles:
  - name: hr
    source: { kind: csv, path: people.csv }
`;
const error = async (p: Promise<unknown>) => {
  const e = await p.catch((x: unknown) => x);
  expect(e).toBeInstanceOf(ConfigError);
  return (e as ConfigError).message;
};

describe('loadConfig', () => {
  it('substitutes ${VAR} and ${VAR:-default}, and $${ stays literal', async () => {
    const path = write('env.yaml', minimal().replace('org: acme', 'org: ${ORG:-fallback}').replace('apiKey: key', () => 'apiKey: "$${literal}"'));
    const { config, baseDir } = await loadConfig(path, { SECRET: 's3' });
    expect(config.target.org).toBe('fallback');
    expect(config.target.apiKey).toBe('${literal}');
    expect(config.target.apiSecret).toBe('s3');
    expect(baseDir).toBe(dir);
  });

  it('names a missing variable and the key that uses it, with its line', async () => {
    const msg = await error(loadConfig(write('missing.yaml', minimal()), {}));
    expect(msg).toMatch(/missing\.yaml:5:\d+: target\.apiSecret: environment variable SECRET is not set/);
  });

  it('loads secrets from *File paths relative to the config, never printing them', async () => {
    write('secret.txt', 'file-secret-value\n');
    const { config } = await loadConfig(write('file.yaml', minimal('apiSecretFile: secret.txt')), {});
    expect(config.target.apiSecret).toBe('file-secret-value');
    const msg = await error(loadConfig(write('nofile.yaml', minimal('apiSecretFile: nope.txt')), {}));
    expect(msg).toMatch(/target\.apiSecretFile: cannot read the secret file nope\.txt \(ENOENT\)/);
  });

  it('lists every validation problem with file:line:col and key path', async () => {
    const path = write('bad.yaml', `target:
  kind: chartio
  org: acme
  apiKey: key
  apiSecret: x
  timeoutMs: -5
policy:
  maxDeletes: lots
  surprise: 1
profiles:
  - name: hr
    source: { kind: csv }
  - name: hr
    source: { kind: csv, path: b.csv }
`);
    const msg = await error(loadConfig(path, {}));
    expect(msg).toMatch(/bad\.yaml:6:3: target\.timeoutMs: Too small/);
    expect(msg).toMatch(/bad\.yaml:8:3: policy\.maxDeletes: .*expected number/);
    expect(msg).toMatch(/bad\.yaml:9:3: policy\.surprise: unknown key/);
    expect(msg).toMatch(/bad\.yaml:\d+:\d+: profiles\[0\]\.source\.path: .*expected string/);
  });

  it('refuses duplicate profile names', async () => {
    const msg = await error(loadConfig(write('dup.yaml', minimal() + '  - name: hr\n    source: { kind: csv, path: b.csv }\n'), { SECRET: 's' }));
    expect(msg).toMatch(/dup\.yaml:9:\d+: profiles\[1\]\.name: duplicate profile name hr/);
  });

  it('reports YAML syntax errors with their position', async () => {
    const msg = await error(loadConfig(write('syntax.yaml', 'target: [unclosed\n'), {}));
    expect(msg).toMatch(/syntax\.yaml:\d+:\d+: YAML syntax error/);
  });

  it('never echoes a secret value in a validation error', async () => {
    const msg = await error(loadConfig(write('leak.yaml', minimal('apiSecret: 12345').replace('timeoutMs', 'x')), {}).then(() => {
      throw new ConfigError('x');
    }));
    expect(msg).not.toContain('12345');
    const msg2 = await error(loadConfig(write('leak2.yaml', minimal('apiSecret: [top-secret-list]')), {}));
    expect(msg2).toMatch(/target\.apiSecret/);
    expect(msg2).not.toContain('top-secret-list');
  });

  it('parses durations and applies defaults', async () => {
    const { config } = await loadConfig(write('dur.yaml', minimal() + 'policy:\n  deprovisionAfter: 3d\n'), { SECRET: 's' });
    expect(config.policy.deprovisionAfter).toBe(3 * 86_400_000);
    expect(config.target.rateLimit).toEqual({ max: 5000, duration: 300_000, headroom: 0.95 });
    expect(config.profiles[0]!.mapping.people.includeDisabled).toBe(false);
  });

  it('redactConfig hides secrets at any depth', async () => {
    const { config } = await loadConfig(write('r.yaml', minimal()), { SECRET: 'hide-me' });
    expect(JSON.stringify(redactConfig(config))).not.toContain('hide-me');
    expect(redactConfig(config).target.apiSecret).toBe('[REDACTED]');
  });

  it('loads the shipped example and sample configs', async () => {
    const example = await loadConfig(new URL('../../../config/example.yaml', import.meta.url).pathname, {
      REDIS_URL: 'redis://r:6379', CHARTIO_API_KEY: 'k',
    }).catch((e: unknown) => e);
    // The example points at /run/secrets, which does not exist here: the error must name it.
    expect((example as Error).message).toMatch(/target\.apiSecretFile: cannot read the secret file \/run\/secrets\/chartio_api_secret/);
    const sample = await loadConfig(new URL('../../../config/sample.yaml', import.meta.url).pathname, {});
    expect(sample.config.profiles[0]!.name).toBe('hr');
  });

  it('config/schema.json is up to date with the schema (run npm run schema)', () => {
    const committed = JSON.parse(readFileSync(new URL('../../../config/schema.json', import.meta.url), 'utf8'));
    expect(committed).toEqual(JSON.parse(JSON.stringify(configJsonSchema())));
  });
});
