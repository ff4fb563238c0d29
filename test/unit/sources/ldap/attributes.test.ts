import { describe, expect, it } from 'vitest';
import { SourceReadError } from '../../../../src/errors/index.js';
import { configFingerprint } from '../../../../src/sources/ldap/kept-directory.js';
import { dialectOf } from '../../../../src/sources/ldap/presets.js';
import { readPeople } from '../../../../src/sources/ldap/read-directory.js';
import { ldapSourceSchema } from '../../../../src/sources/ldap/schema.js';
import { attributeTypeNames, namesOf, notInSchema } from '../../../../src/sources/ldap/subschema.js';
import { recordedDirectory } from './recorded-directory.js';

const base = {
  kind: 'ldap',
  url: 'ldaps://dc1.corp.example:636',
  bindDn: 'CN=svc,DC=corp,DC=example',
  bindPassword: 'x',
  preset: 'active-directory',
  people: { baseDn: 'OU=Staff,DC=corp,DC=example' },
  groups: { baseDn: 'OU=Groups,DC=corp,DC=example' },
};
const ad = ldapSourceSchema.parse({ ...base, attributes: ['department', 'proxyAddresses'] });
const GUID = Buffer.from('c1e8b0b3a2f44c4f9d3e5a6b7c8d9e0f', 'hex');
const DN = 'CN=Ann,OU=Staff,DC=corp,DC=example';
const addresses = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => `smtp:ann${from + i}@corp.example`);

describe('LDAP source.attributes', () => {
  it('the list is asked for in the people search, and a ranged attribute is read to the end', async () => {
    const dir = recordedDirectory({
      pages: [
        [
          {
            dn: DN,
            objectGUID: GUID,
            mail: 'ann@corp.example',
            department: ' Finance ',
            proxyAddresses: [],
            'proxyAddresses;range=0-1499': addresses(0, 1499),
          },
        ],
      ],
      byAttribute: {
        'proxyAddresses;range=1500-*': { dn: DN, 'proxyAddresses;range=1500-*': addresses(1500, 1600) },
      },
    });

    const { people } = await readPeople(dir, ad, dialectOf(ad));

    expect(dir.asked[0]!.spec.attributes).toEqual(expect.arrayContaining(['department', 'proxyAddresses']));
    expect(people[0]!.attributes).toEqual({ department: ['Finance'], proxyAddresses: addresses(0, 1600) });
  });

  it('a ranged attribute whose next chunk does not arrive fails the read', async () => {
    const dir = recordedDirectory({
      pages: [[{ dn: DN, objectGUID: GUID, 'proxyAddresses;range=0-1499': addresses(0, 1499) }]],
    });

    const err = await readPeople(dir, ad, dialectOf(ad)).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(SourceReadError);
    expect((err as SourceReadError).code).toBe('SOURCE_INCOMPLETE');
    expect((err as Error).message).toMatch(
      /proxyAddresses values from 1500 on did not arrive; the person would read short/,
    );
  });

  it('the old form of attributes (an object) is told where its keys moved', () => {
    const r = ldapSourceSchema.safeParse({ ...base, attributes: { email: ['mail'] } });

    expect(r.success).toBe(false);
    expect(r.error!.issues[0]!.message).toMatch(/set under attributeNames$/);
    expect(ldapSourceSchema.parse({ ...base, attributeNames: { email: ['mail'] } }).attributes).toEqual([]);
  });

  it('listing attributes changes the fingerprint (a full read follows); an empty list does not', () => {
    const without = ldapSourceSchema.parse(base);
    expect(configFingerprint(ldapSourceSchema.parse({ ...base, attributes: [] }))).toBe(configFingerprint(without));
    expect(configFingerprint(ad)).not.toBe(configFingerprint(without));
  });

  it('reads names, aliases and OIDs from attributeTypes definitions', () => {
    const types = new Map<string, string[]>();
    for (const d of [
      "( 2.5.4.4 NAME ( 'sn' 'surname' ) DESC 'RFC2256: last name' SUP name )",
      "( 1.2.840.113556.1.2.141 NAME 'department' SYNTAX '1.3.6.1.4.1.1466.115.121.1.15' SINGLE-VALUE )",
    ]) {
      const names = attributeTypeNames(d);
      for (const n of names) types.set(n, names);
    }

    expect(attributeTypeNames("( 2.5.4.4 NAME ( 'sn' 'surname' ) SUP name )")).toEqual(['sn', 'surname', '2.5.4.4']);
    expect(notInSchema(['Surname', 'DEPARTMENT', 'sn;lang-de', 'costCentre'], types)).toEqual(['costCentre']);
    expect(namesOf('Surname;lang-de', types)).toEqual(['surname;lang-de', 'sn;lang-de', '2.5.4.4;lang-de']);
    expect(namesOf('title', undefined)).toEqual(['title']);
  });
});
