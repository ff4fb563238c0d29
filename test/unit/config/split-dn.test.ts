import { describe, expect, it } from 'vitest';
import { loadConfig, SPLIT_DN_HINT } from '../../../src/config/load-config.js';
import { configError, scratch } from './helpers.js';

const { write } = scratch();

/** A config with one LDAP profile; `people` and `bindDn` are written as given. */
const ldapConfig = (
  people: string,
  bindDn = '"cn=sync,dc=corp,dc=example"',
) => `target: { kind: chartio, org: acme, apiKey: k, apiSecret: s }
profiles:
  - name: corp
    source:
      kind: ldap
      url: ldap://ldap.corp.example:389
      bindDn: ${bindDn}
      bindPassword: p
      people: ${people}
      groups: { baseDn: "ou=groups,dc=corp,dc=example" }
`;

describe('a DN that YAML split at its commas', () => {
  it('reports the parts as unknown keys, then says once to quote the DN', async () => {
    const path = write('flow-map.yaml', ldapConfig('{ baseDn: ou=people,dc=corp,dc=example }'));

    const msg = await configError(loadConfig(path, {}));

    expect(msg).toMatch(/:9:\d+: profiles\[0\]\.source\.people\.dc=corp: unknown key/);
    expect(msg).toMatch(/profiles\[0\]\.source\.people\.dc=example: unknown key/);
    expect(msg.split('\n').at(-1)).toBe(`  ${SPLIT_DN_HINT}`);
    expect(msg.split(SPLIT_DN_HINT)).toHaveLength(2);
    expect(SPLIT_DN_HINT).toBe('an LDAP DN has commas: quote it ("ou=people,dc=corp,dc=example")');
  });

  it('gives the hint for a DN that became a list of its parts', async () => {
    const path = write('flow-seq.yaml', ldapConfig('{ baseDn: "ou=people,dc=corp,dc=example" }', '[cn=sync, dc=corp]'));

    const msg = await configError(loadConfig(path, {}));

    expect(msg).toMatch(/profiles\[0\]\.source\.bindDn: Invalid input: expected string, received array/);
    expect(msg).toContain(SPLIT_DN_HINT);
  });

  it('gives no hint for an unknown key that is not part of a DN', async () => {
    const path = write('typo.yaml', ldapConfig('{ baseDn: "ou=people,dc=corp,dc=example", filtre: x }'));

    const msg = await configError(loadConfig(path, {}));

    expect(msg).toMatch(/people\.filtre: unknown key/);
    expect(msg).not.toContain(SPLIT_DN_HINT);
  });

  it('loads the DN once it is quoted', async () => {
    const path = write('quoted.yaml', ldapConfig('{ baseDn: "ou=people,dc=corp,dc=example" }'));

    const { config } = await loadConfig(path, {});

    expect(config.profiles[0]!.source).toMatchObject({ people: { baseDn: 'ou=people,dc=corp,dc=example' } });
  });
});
