import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load-config.js';
import { ConfigError } from '../../../src/errors/index.js';
import { configError, minimal, scratch } from './helpers.js';

const { dir, write } = scratch();
const env = { SECRET: 's' };

/** Loads `extra` appended to the minimal config (it starts on line 9) and returns the error message. */
const problemsWith = async (name: string, extra: string) =>
  configError(loadConfig(write(name, minimal(undefined, extra)), env));

describe('validation errors name file:line:col, the key path and what was expected', () => {
  it.each([
    [
      'wrong type',
      'policy:\n  maxDeletes: lots\n',
      /:10:3: policy\.maxDeletes: Invalid input: expected number, received string/,
    ],
    [
      'below the minimum',
      'queue:\n  concurrency: 0\n',
      /:10:3: queue\.concurrency: Too small: expected number to be >0/,
    ],
    [
      'above the maximum',
      'policy:\n  maxDeletePercent: 150\n',
      /:10:3: policy\.maxDeletePercent: Too big: expected number to be <=100/,
    ],
    [
      'not one of the options',
      'policy:\n  deprovision: delete\n',
      /:10:3: policy\.deprovision: Invalid option: expected one of "none"\|"remove-from-managed-teams"\|"disable-user"\|"delete-user"/,
    ],
    ['unknown key', 'policy:\n  maxDeletez: 3\n', /:10:3: policy\.maxDeletez: unknown key/],
    ['unknown top-level key', 'polcy: {}\n', /:9:1: polcy: unknown key/],
    [
      'bad duration',
      'policy:\n  deprovisionAfter: 3 days\n',
      /:10:3: policy\.deprovisionAfter: expected a duration such as 30s, 15m, 7d/,
    ],
    ['bad pattern', 'redis:\n  prefix: "a:b"\n', /:10:3: redis\.prefix: Invalid string: must match pattern/],
    [
      'missing key in a list item',
      '  - name: two\n    source: { kind: csv }\n',
      /:10:5: profiles\[1\]\.source\.path: missing \(expected string\)/,
    ],
    [
      'unknown source kind',
      '  - name: two\n    source: { kind: ftp }\n',
      /:10:15: profiles\[1\]\.source\.kind: Invalid discriminator value\. Expected 'csv' \| 'ldap' \| 'entra'/,
    ],
    [
      'bad rule regex',
      '    mapping:\n      rules: [{ match: "(", team: x }]\n',
      /:10:\d+: profiles\[0\]\.mapping\.rules\[0\]\.match: not a valid regular expression: \/\(\/: Unterminated group/,
    ],
    [
      'rule template naming a missing capture',
      '    mapping:\n      rules:\n        - { match: "^bi-(.+)$", team: "BI ${role}" }\n',
      /:11:\d+: profiles\[0\]\.mapping\.rules\[0\]\.team: team template uses \$\{role\} but the pattern has no group named "role"/,
    ],
    [
      'bad /regex/ list entry',
      '    mapping:\n      exclude: [Sales, "/[/"]\n',
      /:10:\d+: profiles\[0\]\.mapping\.exclude\[1\]: not a valid \/regex\//,
    ],
    [
      'bad cron expression',
      '    schedule: { incremental: "every 5 minutes" }\n',
      /:9:17: profiles\[0\]\.schedule\.incremental: expected a cron expression/,
    ],
    [
      'unknown time zone',
      '    schedule: { timezone: Europe/Atlantis }\n',
      /:9:17: profiles\[0\]\.schedule\.timezone: expected an IANA time zone/,
    ],
  ])('%s', async (name, extra, expected) => {
    const msg = await problemsWith(`${name.replace(/\W+/g, '-')}.yaml`, extra);

    expect(msg).toMatch(new RegExp(`${dir}/[\\w-]+\\.yaml${expected.source}`));
  });

  it('a missing required key points at its parent', async () => {
    const msg = await configError(loadConfig(write('no-org.yaml', minimal().replace('  org: acme\n', '')), env));

    expect(msg).toMatch(/no-org\.yaml:1:1: target\.org: missing \(expected string\)/);
  });

  it('a missing secret is named with what to set', async () => {
    const msg = await configError(loadConfig(write('no-secret.yaml', minimal('timeoutMs: 1000')), env));

    expect(msg).toMatch(
      /no-secret\.yaml:1:1: target\.apiSecret: set apiSecret \(e\.g\. \$\{CHARTIO_API_SECRET\}\) or apiSecretFile/,
    );
  });

  it('lists every problem, in file order, and sets keyPath to the first issue', async () => {
    const err = await loadConfig(
      write('many.yaml', minimal('timeoutMs: -5\n  apiSecret: x', 'policy:\n  maxDeletes: lots\n  surprise: 1\n')),
      env,
    ).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(ConfigError);
    const lines = (err as ConfigError).message.split('\n');
    expect(lines[0]).toBe(`invalid config ${dir}/many.yaml (3 problems):`);
    expect(lines.slice(1).map((l) => l.replace(/^ +\S+?:(\d+):\d+: .*/, '$1'))).toEqual(['5', '11', '12']);
    expect((err as ConfigError).code).toBe('CONFIG_INVALID');
    expect((err as ConfigError).keyPath).toBe('target.timeoutMs');
  });

  it('refuses duplicate profile names, naming the second', async () => {
    const msg = await problemsWith('dup.yaml', '  - name: hr\n    source: { kind: csv, path: b.csv }\n');

    expect(msg).toMatch(/dup\.yaml:9:\d+: profiles\[1\]\.name: duplicate profile name hr/);
  });

  it('reports every YAML syntax error with its position', async () => {
    const msg = await configError(
      loadConfig(write('syntax.yaml', 'target:\n  kind: chartio\n  kind: again\nprofiles: [unclosed\n'), env),
    );

    expect(msg).toMatch(/syntax\.yaml:3:3: YAML syntax error: Map keys must be unique/);
    expect(msg).toMatch(/syntax\.yaml:\d+:\d+: YAML syntax error: .*(flow|Flow)/);
  });

  it('names an empty file and a file that is not there', async () => {
    expect(await configError(loadConfig(write('empty.yaml', '# nothing\n'), env))).toMatch(
      /empty\.yaml: the config file is empty/,
    );
    expect(await configError(loadConfig(`${dir}/absent.yaml`, env))).toMatch(
      /absent\.yaml: cannot read the config file \(ENOENT\)/,
    );
  });
});

describe('values', () => {
  it('parses durations in every unit and plain milliseconds', async () => {
    const cases: [string, number][] = [
      ['250ms', 250],
      ['90s', 90_000],
      ['15m', 900_000],
      ['12h', 43_200_000],
      ['3d', 259_200_000],
      ['1500', 1500],
    ];
    for (const [written, ms] of cases) {
      const { config } = await loadConfig(
        write('dur.yaml', minimal(undefined, `policy:\n  deprovisionAfter: ${written}\n`)),
        env,
      );
      expect(config.policy.deprovisionAfter, written).toBe(ms);
    }
  });

  it('applies the defaults', async () => {
    const { config } = await loadConfig(write('defaults.yaml', minimal()), env);

    expect(config.redis).toEqual({ url: 'redis://127.0.0.1:6379', prefix: 'rostersync' });
    expect(config.target).toMatchObject({
      baseUrl: 'https://api.chartio.com/v1',
      timeoutMs: 30_000,
      rateLimit: { max: 5000, duration: 300_000, headroom: 0.95 },
    });
    expect(config.policy).toEqual({
      membership: 'authoritative',
      access: 'authoritative',
      maxGrantRemovals: 25,
      deprovision: 'remove-from-managed-teams',
      deprovisionAfter: 0,
      maxDeletes: 25,
      maxDeletePercent: 10,
      maxRoleLosses: 2,
      maxRoleLossPercent: 10,
      maxRemovals: 500,
      maxTeamShrinkPercent: 50,
      teamShrinkMinMembers: 10,
      minSourceRatio: 0.5,
      roles: 'authoritative',
      prune: false,
      emailChange: 'recreate',
      deleteOwners: false,
      protectedUsers: [],
      protectedTeams: [],
    });
    expect(config.queue).toEqual({ concurrency: 16, attempts: 8, backoffMs: 1000, keepRuns: 50, window: 5000 });
    expect(config.profiles[0]!.mapping).toEqual({
      groups: {},
      rules: [],
      include: [],
      exclude: [],
      roles: [],
      people: { includeDisabled: false, emailDomains: [], exclude: [], where: [] },
    });
    expect(config.daemon.http).toEqual({
      host: '127.0.0.1',
      port: 8080,
      tokens: [],
      allowUnauthenticated: false,
      trustProxy: false,
    });
    expect(config.log.level).toBe('info');
  });

  it('accepts anchors, aliases and merge keys', async () => {
    const text = minimal(
      undefined,
      `  - name: two
    source: { kind: csv, path: b.csv }
    mapping:
      <<: *base
      defaultTeam: Others
`,
    ).replace(
      '    source: { kind: csv, path: people.csv }\n',
      '    source: { kind: csv, path: people.csv }\n    mapping: &base\n      groups: { Sales: Sales }\n      defaultTeam: Everyone\n',
    );

    const { config } = await loadConfig(write('merge.yaml', text), env);

    expect(config.profiles[1]!.mapping).toMatchObject({ groups: { Sales: 'Sales' }, defaultTeam: 'Others' });
    expect(config.profiles[0]!.mapping.defaultTeam).toBe('Everyone');
  });

  it('returns the absolute path and the directory relative paths resolve against', async () => {
    const loaded = await loadConfig(write('where.yaml', minimal()), env);

    expect(loaded.path).toBe(`${dir}/where.yaml`);
    expect(loaded.baseDir).toBe(dir);
  });
});

describe('target URLs are checked with the config, naming file, line and key', () => {
  const withTarget = (name: string, target: string) =>
    configError(
      loadConfig(
        write(name, `target:\n${target}\nprofiles:\n  - name: hr\n    source: { kind: csv, path: people.csv }\n`),
        env,
      ),
    );

  it('plain http to a host that is not loopback', async () => {
    const message = await withTarget(
      'http-target.yaml',
      '  kind: chartio\n  org: acme\n  apiKey: key\n  apiSecret: s\n  baseUrl: http://chartio.example.com/v1',
    );
    expect(message).toMatch(
      /http-target\.yaml:6:3: target\.baseUrl: https is required \(plain http only for loopback\), got http:\/\/chartio\.example\.com$/,
    );
  });

  it('plain http to loopback is the emulator, accepted', async () => {
    const config = loadConfig(
      write(
        'loopback.yaml',
        'target:\n  kind: grafana\n  baseUrl: http://127.0.0.1:3000\n  token: t\nprofiles:\n  - name: hr\n    source: { kind: csv, path: people.csv }\n',
      ),
      env,
    );
    await expect(config).resolves.toBeDefined();
  });

  it('a Grafana baseUrl ending in /api is named with the root to give instead', async () => {
    const message = await withTarget(
      'grafana-api.yaml',
      '  kind: grafana\n  token: t\n  baseUrl: https://grafana.example.com/api/',
    );
    expect(message).toMatch(
      /grafana-api\.yaml:4:3: target\.baseUrl: ends in \/api: give the Grafana root without it \(https:\/\/grafana\.example\.com\)$/,
    );
  });
});
