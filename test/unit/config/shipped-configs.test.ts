import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load-config.js';
import { policySchema } from '../../../src/config/schema.js';
import { chartioTargetSchema } from '../../../src/targets/chartio/schema.js';
import { compileTeamRules } from '../../../src/mapping/index.js';

const file = (name: string) => fileURLToPath(new URL(`../../../config/${name}`, import.meta.url));
const exampleEnv = {
  REDIS_URL: 'redis://redis:6379',
  CHARTIO_API_KEY: 'key',
  CHARTIO_API_SECRET: 'example-secret',
  ROSTERSYNC_HTTP_TOKEN: 'token',
};

describe('config/example.yaml', () => {
  it('loads with the environment it documents', async () => {
    const { config } = await loadConfig(file('example.yaml'), exampleEnv);

    expect(config.target).toMatchObject({ kind: 'chartio', apiKey: 'key', apiSecret: 'example-secret' });
    expect(config.profiles[0]!.mapping.rules[0]).toMatchObject({ team: 'BI ${role}' });
    expect(config.profiles[0]!.schedule?.timezone).toBe('Europe/Berlin');
  });

  it('names each variable it needs when they are unset', async () => {
    const msg = await loadConfig(file('example.yaml'), {}).then(
      () => '',
      (e: Error) => e.message,
    );

    for (const name of Object.keys(exampleEnv)) expect(msg).toContain(`environment variable ${name} is not set`);
  });

  it('writes out every policy and target key, and points editors at the JSON Schema', () => {
    const text = readFileSync(file('example.yaml'), 'utf8');

    expect(text.split('\n')[0]).toBe('# yaml-language-server: $schema=./schema.json');
    for (const key of [...Object.keys(policySchema.unwrap().shape), ...Object.keys(chartioTargetSchema.shape)]) {
      if (key === 'apiSecretFile') continue; // the alternative to apiSecret, shown in a comment
      expect(text, key).toMatch(new RegExp(`^\\s+${key}:`, 'm'));
    }
  });
});

describe('config/sample.yaml (the demo)', () => {
  it('loads with no environment at all, on the local emulator defaults', async () => {
    const { config, baseDir } = await loadConfig(file('sample.yaml'), {});

    expect(config.target).toMatchObject({
      kind: 'chartio',
      baseUrl: 'http://127.0.0.1:8089/v1',
      org: 'demo-org',
      apiKey: 'demo-key',
      apiSecret: 'demo-secret',
    });
    expect(config.profiles.map((p) => p.name)).toEqual(['hr']);
    expect(config.profiles[0]!.source).toMatchObject({
      kind: 'csv',
      path: 'sample/people.csv',
      groupDelimiter: ';',
      groupsFile: { path: 'sample/groups.csv' },
      attributes: ['department', 'location', 'employee_type', 'end_date'],
    });
    expect(config.profiles[0]!.mapping.rules).toContainEqual(
      expect.objectContaining({ attribute: 'department', team: '${value} department' }),
    );
    expect(baseDir).toBe(fileURLToPath(new URL('../../../config', import.meta.url)));
  });

  it('takes the emulator address and secret from the environment when set', async () => {
    const { config } = await loadConfig(file('sample.yaml'), {
      CHARTIO_BASE_URL: 'http://127.0.0.1:4000/v1',
      CHARTIO_API_SECRET: 'other',
    });

    expect(config.target).toMatchObject({ baseUrl: 'http://127.0.0.1:4000/v1', apiSecret: 'other' });
  });

  it('maps every group of the sample directory to a team', async () => {
    const { config } = await loadConfig(file('sample.yaml'), {});
    const rows = readFileSync(file('sample/groups.csv'), 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(','));
    const rules = compileTeamRules(config.profiles[0]!.mapping);

    const teams = Object.fromEntries(
      rows.map(([id, name]) => [name!, rules.teamFor({ sourceId: id!, name: name!, parentIds: [] })?.team]),
    );

    expect(teams).toMatchObject({
      'bi-analysts': 'BI analysts',
      'bi-admins': 'BI admins',
      Support: 'Customer Support',
      Engineering: 'Engineering',
    });
    expect(Object.entries(teams).filter(([, team]) => team === undefined)).toEqual([]);
    expect(config.profiles[0]!.mapping.defaultTeam).toBe('Everyone');
  });
});
