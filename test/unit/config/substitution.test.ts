import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load-config.js';
import { ConfigError } from '../../../src/errors/index.js';
import { configError, minimal, scratch, chartioOf } from './helpers.js';

const { write } = scratch();

describe('environment substitution', () => {
  it('replaces ${VAR}, falls back to ${VAR:-default}, and keeps $${ literal', async () => {
    const path = write(
      'env.yaml',
      minimal('apiSecret: pre-${SECRET}-post')
        .replace('org: acme', 'org: ${ORG:-fallback}')
        .replace('apiKey: key', () => 'apiKey: "$${literal}"'),
    );

    const { config } = await loadConfig(path, { SECRET: 's3' });

    expect(chartioOf(config).org).toBe('fallback');
    expect(chartioOf(config).apiKey).toBe('${literal}');
    expect(chartioOf(config).apiSecret).toBe('pre-s3-post');
  });

  it('uses the variable over the default, and the default for an empty variable', async () => {
    const path = write('default.yaml', minimal('apiSecret: ${SECRET:-d1}').replace('org: acme', 'org: ${ORG:-d2}'));

    const { config } = await loadConfig(path, { SECRET: 'set', ORG: '' });

    expect([chartioOf(config).apiSecret, chartioOf(config).org]).toEqual(['set', 'd2']);
  });

  it('names a missing variable and the key that uses it, with its line', async () => {
    const err = await loadConfig(write('missing.yaml', minimal()), {}).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toMatch(
      /missing\.yaml:5:3: target\.apiSecret: environment variable SECRET is not set/,
    );
    expect((err as ConfigError).keyPath).toBe('target.apiSecret');
  });

  it('treats an empty variable without a default as missing', async () => {
    const msg = await configError(loadConfig(write('empty.yaml', minimal()), { SECRET: '' }));

    expect(msg).toMatch(/target\.apiSecret: environment variable SECRET is not set/);
  });

  it('lists every missing variable with the key path inside lists', async () => {
    const msg = await configError(
      loadConfig(write('many.yaml', minimal('apiSecret: ${A}', 'policy:\n  protectedUsers: [x@y.z, "${B}"]\n')), {}),
    );

    expect(msg).toMatch(/\(2 problems\)/);
    expect(msg).toMatch(/many\.yaml:5:3: target\.apiSecret: environment variable A is not set/);
    expect(msg).toMatch(/many\.yaml:10:\d+: policy\.protectedUsers\[1\]: environment variable B is not set/);
  });

  it('refuses a malformed reference without echoing it', async () => {
    const msg = await configError(loadConfig(write('bad-ref.yaml', minimal('apiSecret: "s3cr${et"')), {}));

    expect(msg).toMatch(/bad-ref\.yaml:5:3: target\.apiSecret: malformed variable reference/);
    expect(msg).not.toContain('s3cr');
  });

  it('does not substitute a value twice (a variable holding ${X} stays as is)', async () => {
    const { config } = await loadConfig(write('once.yaml', minimal()), { SECRET: '${OTHER}' });

    expect(chartioOf(config).apiSecret).toBe('${OTHER}');
  });

  it('leaves ${1} and ${name} in rule templates to the mapping', async () => {
    const rules =
      '    mapping:\n      rules:\n        - { match: "^bi-(?<role>.+)$", team: "BI ${role}" }\n        - { match: "^x-(.+)$", team: "X ${1}" }\n';

    const { config } = await loadConfig(write('templates.yaml', minimal() + rules), { SECRET: 's' });

    expect(config.profiles[0]!.mapping.rules.map((r) => r.team)).toEqual(['BI ${role}', 'X ${1}']);
  });

  it('converts a substituted value where the schema wants a number or boolean, never a literal string', async () => {
    const extra =
      'daemon:\n  http: { port: "${PORT:-8081}" }\nqueue: { concurrency: "${CONC}" }\npolicy: { prune: "${PRUNE}" }\n';

    const ok = await loadConfig(write('coerce.yaml', minimal('apiSecret: s', extra)), { CONC: '32', PRUNE: 'true' });

    expect([ok.config.daemon.http.port, ok.config.queue.concurrency, ok.config.policy.prune]).toEqual([8081, 32, true]);
    const literal = await configError(
      loadConfig(write('literal.yaml', minimal('apiSecret: s', 'queue: { concurrency: "32" }\n')), {}),
    );
    expect(literal).toMatch(/queue\.concurrency: Invalid input: expected number, received string/);
    const notNumber = await configError(
      loadConfig(write('nan.yaml', minimal('apiSecret: s', 'queue: { concurrency: "${CONC}" }\n')), { CONC: 'lots' }),
    );
    expect(notNumber).toMatch(/queue\.concurrency: Invalid input: expected number/);
  });
});
