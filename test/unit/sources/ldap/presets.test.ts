import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../../src/config/load-config.js';
import { ConfigError } from '../../../../src/errors/index.js';
import { dialectOf } from '../../../../src/sources/ldap/presets.js';
import { ldapSourceSchema } from '../../../../src/sources/ldap/schema.js';

const source = (preset: string) => ({
  kind: 'ldap',
  url: 'ldaps://dc1.corp.example:636',
  bindDn: 'CN=svc,DC=corp,DC=example',
  bindPassword: 'x',
  preset,
  people: { baseDn: 'OU=Staff,DC=corp,DC=example' },
  groups: { baseDn: 'OU=Groups,DC=corp,DC=example' },
});

/** A config file whose one profile reads LDAP with `preset`. */
function configFile(preset: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'rostersync-preset-'));
  const path = join(dir, 'config.yaml');
  writeFileSync(
    path,
    JSON.stringify({
      target: { kind: 'chartio', org: 'acme', apiKey: 'key', apiSecret: 'secret' },
      profiles: [{ name: 'corp', source: source(preset) }],
    }),
  );
  return path;
}

describe('LDAP presets', () => {
  it('`ad` is the Active Directory preset under its short name', async () => {
    const c = ldapSourceSchema.parse(source('ad'));

    expect(c.preset).toBe('active-directory');
    expect(dialectOf(c)).toEqual(dialectOf(ldapSourceSchema.parse(source('active-directory'))));
    expect(ldapSourceSchema.safeParse({ ...source('ad'), pageSize: 2000 }).success).toBe(false); // AD's MaxPageSize applies
    const loaded = await loadConfig(configFile('ad'));
    expect(loaded.config.profiles[0]!.source).toMatchObject({ kind: 'ldap', preset: 'active-directory' });
  });

  it('an unknown preset is a config error naming the key and every accepted name', async () => {
    const err = await loadConfig(configFile('activedirectory')).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toMatch(
      /profiles\[0\]\.source\.preset: unknown preset; expected one of: openldap, active-directory, ad \(short for active-directory\)$/m,
    );
  });
});
