import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LockLostError, ProfileBusyError } from '../../../src/app/profile-lock.js';
import { RunInProgressError } from '../../../src/app/run-sync.js';
import { UsageError } from '../../../src/cli/args.js';
import { exitCodeOf } from '../../../src/cli/cli.js';
import { EXIT } from '../../../src/cli/exit-codes.js';
import { loadConfig, redactConfig } from '../../../src/config/load-config.js';
import {
  ConfigError,
  RedisUnavailableError,
  RostersyncError,
  SourceCredentialsError,
  SourceReadError,
  TargetHttpError,
  TargetNetworkError,
  TargetReadIncompleteError,
  TargetResponseError,
} from '../../../src/errors/index.js';
import { maskUrl } from '../../../src/log/mask-url.js';
import { configError, minimal, scratch } from '../config/helpers.js';

const { write } = scratch();
const ROOT = join(import.meta.dirname, '../../..');
const req = { method: 'GET', path: '/v1/acme/users' };

describe('URL passwords are masked in one place, whole', () => {
  it.each([
    ['redis://:Left@RightPart-9q@host:6379', 'redis://:[REDACTED]@host:6379'],
    ['redis://user:Left@RightPart-9q@host:6379/0', 'redis://user:[REDACTED]@host:6379/0'],
    ['rediss://user:a:b@redis.example:6380', 'rediss://user:[REDACTED]@redis.example:6380'],
    ['redis://127.0.0.1:6379', 'redis://127.0.0.1:6379'],
    ['not a url', 'not a url'],
  ])('%s', (url, shown) => {
    expect(maskUrl(url)).toBe(shown);
  });

  it('redactConfig masks a redis.url password holding @', async () => {
    const path = write(
      'at.yaml',
      minimal('apiSecret: s', 'redis: { url: "redis://user:Left@RightPart-9q@redis:6379/0" }\n'),
    );

    const safe = redactConfig((await loadConfig(path, {})).config);

    expect(safe.redis.url).toBe('redis://user:[REDACTED]@redis:6379/0');
    expect(JSON.stringify(safe)).not.toContain('RightPart');
  });
});

describe('config messages', () => {
  it('a redis.url that does not parse is a config error naming the key, not the password', async () => {
    const path = write(
      'badurl.yaml',
      minimal('apiSecret: s', 'redis: { url: "redis://user:Sec/ret@host:notaport" }\n'),
    );

    const err = await loadConfig(path, {}).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).keyPath).toBe('redis.url');
    expect((err as ConfigError).message).toMatch(/badurl\.yaml:9:\d+: redis\.url: not a URL/);
    expect((err as ConfigError).message).not.toContain('Sec/ret');
  });

  it('a redis.url with another scheme names what was expected', async () => {
    const msg = await configError(
      loadConfig(write('scheme.yaml', minimal('apiSecret: s', 'redis: { url: "http://redis:6379" }\n')), {}),
    );

    expect(msg).toMatch(/redis\.url: expected a redis:\/\/ or rediss:\/\/ URL, got http:\/\//);
  });

  it('a missing secret does not suggest a default; a missing plain value does', async () => {
    const secret = await configError(loadConfig(write('nosecret.yaml', minimal()), {}));
    const inUrl = await configError(
      loadConfig(
        write('nopass.yaml', minimal('apiSecret: s', 'redis: { url: "redis://:${REDIS_PASSWORD}@redis:6379" }\n')),
        {},
      ),
    );
    const plain = await configError(
      loadConfig(write('noorg.yaml', minimal('apiSecret: s').replace('org: acme', 'org: ${ORG}')), {}),
    );

    expect(secret).toMatch(
      /target\.apiSecret: environment variable SECRET is not set: set it, or read the secret from a file with apiSecretFile/,
    );
    expect(inUrl).toMatch(
      /redis\.url: environment variable REDIS_PASSWORD is not set: set it \(it holds a secret, so it has no default\)/,
    );
    for (const m of [secret, inUrl]) expect(m).not.toContain(':-default');
    expect(plain).toMatch(/environment variable ORG is not set \(write \$\{ORG:-default\} to give a default\)/);
  });

  it('the refused lock names its holder and does not suggest --resume', () => {
    const err = new ProfileBusyError('hr', 'backfill on host-a, pid 4242, since 2026-12-01T10:00:00.000Z');

    expect(err).toBeInstanceOf(RunInProgressError);
    expect(err.message).toBe(
      'profile hr is held by another process right now (backfill on host-a, pid 4242, since 2026-12-01T10:00:00.000Z); nothing was changed: try again when it has finished',
    );
    expect(err.message).not.toContain('--resume');
  });
});

describe('exit codes', () => {
  it.each<[string, unknown, number | undefined]>([
    ['usage', new UsageError('x'), 64],
    ['config', new ConfigError('x', 'redis.url'), 78],
    ['source read', new SourceReadError('x', 'csv'), 69],
    ['source credentials refused', new SourceCredentialsError('x', 'entra'), 78],
    ['target status', new TargetHttpError(502, 'bad gateway', req), 69],
    ['target network', new TargetNetworkError('reset', req), 69],
    ['target incomplete', new TargetReadIncompleteError('x'), 69],
    ['target unreadable', new TargetResponseError('x', req, 200), 69],
    ['redis', new RedisUnavailableError('x'), 69],
    ['redis-server missing', new RostersyncError('REDIS_UNAVAILABLE', 'x'), 69],
    ['profile busy', new ProfileBusyError('hr', undefined), 75],
    ['crashed run', new RunInProgressError('hr-1'), 75],
    ['lock lost', new LockLostError('expired'), 75],
    ['a bug', new TypeError('x is undefined'), undefined],
  ])('%s', (_, err, code) => {
    expect(exitCodeOf(err)).toBe(code);
  });

  it("README's table lists exactly the codes the CLI uses", () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const table = readme.slice(readme.indexOf('| code | meaning |'));
    const documented = [...table.matchAll(/^\| (\d+) \|/gm)].map((m) => Number(m[1]));

    expect(documented.sort((a, b) => a - b)).toEqual(Object.values(EXIT).sort((a, b) => a - b));
  });
});
