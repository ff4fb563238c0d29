import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load-config.js';
import { configError, scratch } from './helpers.js';

const { write } = scratch();
process.env.SCIM_SECRET = 'scim-user-name-secret';

const config = (attributes: string, userName: string) =>
  write(
    `scim-${Math.random().toString(36).slice(2)}.yaml`,
    `target:
  kind: scim
  baseUrl: https://app.example.com/scim/v2
  token: \${SCIM_SECRET}
  userName: ${userName}
profiles:
  - name: hr
    source: { kind: csv, path: people.csv${attributes} }
    mapping:
      rules: [{ match: '^(.+)$', team: '$1' }]
`,
  );

describe('scim target: userName from a source attribute', () => {
  it('loads when the profile reads the attribute', async () => {
    const loaded = await loadConfig(config(', attributes: [login]', '{ attribute: login }'));

    expect(loaded.config.target).toMatchObject({ kind: 'scim', userName: { attribute: 'login' } });
  });

  it('refuses an attribute the source does not read, naming the key and source.attributes', async () => {
    const msg = await configError(loadConfig(config(', attributes: [department]', '{ attribute: login }')));

    expect(msg).toContain('target.userName.attribute');
    expect(msg).toContain('attribute "login"');
    expect(msg).toContain('add it to profiles[0].source.attributes');
  });

  it('keeps email and sourceId', async () => {
    for (const userName of ['email', 'sourceId']) {
      const loaded = await loadConfig(config('', userName));
      expect(loaded.config.target).toMatchObject({ userName });
    }
  });
});
