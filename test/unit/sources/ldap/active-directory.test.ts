import type { Entry } from 'ldapts';
import { describe, expect, it } from 'vitest';
import { SourceReadError } from '../../../../src/errors/index.js';
import { dcMismatch, readDcState, usnCursor } from '../../../../src/sources/ldap/cursor.js';
import { adDisabled, dialectOf, guidToString, parseRange } from '../../../../src/sources/ldap/presets.js';
import { readGroups, readPeople } from '../../../../src/sources/ldap/read-directory.js';
import { ldapSourceSchema } from '../../../../src/sources/ldap/schema.js';
import { recordedDirectory } from './recorded-directory.js';

const ad = ldapSourceSchema.parse({
  kind: 'ldap',
  url: 'ldaps://dc1.corp.example:636',
  bindDn: 'CN=svc,DC=corp,DC=example',
  bindPassword: 'x',
  preset: 'active-directory',
  people: { baseDn: 'OU=Staff,DC=corp,DC=example' },
  groups: { baseDn: 'OU=Groups,DC=corp,DC=example' },
});
const d = dialectOf(ad);

// Recorded from an AD DC: objectGUID bytes as ldapts returns them with explicitBufferAttributes.
const GUID_BYTES = Buffer.from('c1e8b0b3a2f44c4f9d3e5a6b7c8d9e0f', 'hex');
const GROUP = 'CN=Big,OU=Groups,DC=corp,DC=example';
const memberDn = (i: number) => `CN=User ${i},OU=Staff,DC=corp,DC=example`;
const members = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => memberDn(from + i));

describe('Active Directory preset', () => {
  it('turns objectGUID bytes into the GUID text AD shows', () => {
    expect(guidToString(GUID_BYTES)).toBe('b3b0e8c1-f4a2-4f4c-9d3e-5a6b7c8d9e0f');
    expect(() => guidToString(Buffer.alloc(3))).toThrow(/16 bytes/);
  });

  it('reads userAccountControl bit 2 as disabled', () => {
    expect(adDisabled('512')).toBe(false); // NORMAL_ACCOUNT
    expect(adDisabled('514')).toBe(true); // NORMAL_ACCOUNT | ACCOUNTDISABLE
    expect(adDisabled('66050')).toBe(true); // + DONT_EXPIRE_PASSWORD
    expect(adDisabled('66048')).toBe(false);
    expect(adDisabled(undefined)).toBe(false);
  });

  it('parses range retrieval attribute names', () => {
    expect(parseRange('member;range=0-1499')).toEqual({ attribute: 'member', low: 0, high: 1499 });
    expect(parseRange('member;range=1500-*')).toEqual({ attribute: 'member', low: 1500, high: '*' });
    expect(parseRange('Member;Range=3000-4499')).toEqual({ attribute: 'Member', low: 3000, high: 4499 });
    expect(parseRange('member')).toBeUndefined();
    expect(parseRange('member;range=x-1')).toBeUndefined();
  });

  it('reads a 1,501-member group through member;range chunks as 1,501', async () => {
    const dir = recordedDirectory({
      pages: [[{ dn: GROUP, objectGUID: GUID_BYTES, cn: 'Big', member: [], 'member;range=0-1499': members(0, 1499) }]],
      byAttribute: { 'member;range=1500-*': { dn: GROUP, 'member;range=1500-*': [memberDn(1500)] } },
    });
    const [group] = await readGroups(dir, ad, d);
    expect(group!.memberDns).toHaveLength(1501);
    expect(new Set(group!.memberDns).size).toBe(1501);
    expect(group!.id).toBe('b3b0e8c1-f4a2-4f4c-9d3e-5a6b7c8d9e0f');
    expect(dir.asked.map((a) => a.spec.attributes[0])).toEqual(['objectGUID', 'member;range=1500-*']);
    expect(dir.asked[0]!.spec.binary).toEqual(['objectGUID']);
  });

  it('follows several chunks (3,200 members) until the range ends in *', async () => {
    const dir = recordedDirectory({
      pages: [[{ dn: GROUP, objectGUID: GUID_BYTES, cn: 'Big', 'member;range=0-1499': members(0, 1499) }]],
      byAttribute: {
        'member;range=1500-*': { dn: GROUP, 'member;range=1500-2999': members(1500, 2999) },
        'member;range=3000-*': { dn: GROUP, 'member;range=3000-*': members(3000, 3199) },
      },
    });
    const [group] = await readGroups(dir, ad, d);
    expect(group!.memberDns).toEqual(members(0, 3199));
  });

  it('fails the read when a range chunk does not arrive, instead of reading the group short', async () => {
    const dir = recordedDirectory({
      pages: [[{ dn: GROUP, objectGUID: GUID_BYTES, cn: 'Big', 'member;range=0-1499': members(0, 1499) }]],
    });
    const err = await readGroups(dir, ad, d).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceReadError);
    expect((err as SourceReadError).code).toBe('SOURCE_INCOMPLETE');
  });

  it('fails when a chunk holds fewer values than its range says, or starts elsewhere', async () => {
    const short = recordedDirectory({
      pages: [[{ dn: GROUP, objectGUID: GUID_BYTES, cn: 'Big', 'member;range=0-1499': members(0, 1498) }]],
    });
    expect(((await readGroups(short, ad, d).catch((e: unknown) => e)) as SourceReadError).code).toBe(
      'SOURCE_INCOMPLETE',
    );
    const skew = recordedDirectory({
      pages: [[{ dn: GROUP, objectGUID: GUID_BYTES, cn: 'Big', 'member;range=0-1499': members(0, 1499) }]],
      byAttribute: { 'member;range=1500-*': { dn: GROUP, 'member;range=1600-*': [memberDn(1600)] } },
    });
    expect(((await readGroups(skew, ad, d).catch((e: unknown) => e)) as SourceReadError).code).toBe(
      'SOURCE_INCOMPLETE',
    );
  });

  it('maps recorded AD users: GUID id, mail falling back to userPrincipalName, disabled flag', async () => {
    const users = [
      {
        dn: memberDn(1),
        objectGUID: GUID_BYTES,
        mail: 'one@corp.example',
        displayName: 'User One',
        sAMAccountName: 'one',
        userAccountControl: '512',
        uSNChanged: '9001',
      },
      {
        dn: memberDn(2),
        objectGUID: Buffer.alloc(16, 7),
        mail: [],
        userPrincipalName: 'two@corp.example',
        displayName: 'User Two',
        userAccountControl: '514',
        uSNChanged: '9002',
      },
      { dn: memberDn(3), mail: 'three@corp.example', displayName: 'No GUID' },
    ] as Entry[];
    const { people, skipped } = await readPeople(recordedDirectory({ pages: [users] }), ad, d);
    expect(people.map((p) => [p.email, p.enabled, p.marker])).toEqual([
      ['one@corp.example', true, '9001'],
      ['two@corp.example', false, '9002'],
    ]);
    expect(people[1]!.id).toBe('07070707-0707-0707-0707-070707070707');
    expect(skipped).toEqual([{ dn: memberDn(3), reason: 'no objectGUID: person skipped' }]);
  });
});

describe('AD high-water mark', () => {
  const rootDse = {
    dn: '',
    highestCommittedUSN: '120034',
    dsServiceName:
      'CN=NTDS Settings,CN=DC1,CN=Servers,CN=Default-First-Site-Name,CN=Sites,CN=Configuration,DC=corp,DC=example',
    dnsHostName: 'dc1.corp.example',
  };
  const settings = { dn: rootDse.dsServiceName, invocationId: GUID_BYTES };

  it('starts the next read just after the USN the DC had before this read, on this DC and database', async () => {
    const dc = await readDcState(recordedDirectory({ byBase: { '': rootDse, [rootDse.dsServiceName]: settings } }));
    expect(dc).toEqual({
      usn: '120034',
      dc: rootDse.dsServiceName,
      invocationId: 'b3b0e8c1-f4a2-4f4c-9d3e-5a6b7c8d9e0f',
    });
    // Entries seen during the read may carry bigger USNs (changed meanwhile): they are re-read next time.
    expect(usnCursor(dc, ['120001', '120090'])).toEqual({
      marker: 'uSNChanged',
      value: '120035',
      dc: rootDse.dsServiceName,
      invocationId: dc.invocationId,
    });
  });

  it('refuses a cursor from another DC, a restored database, or one ahead of the DC', () => {
    const dc = { usn: '500', dc: 'CN=NTDS Settings,CN=DC1', invocationId: 'a' };
    expect(
      dcMismatch({ marker: 'uSNChanged', value: '400', dc: 'CN=NTDS Settings,CN=DC1', invocationId: 'a' }, dc),
    ).toBeUndefined();
    expect(
      dcMismatch({ marker: 'uSNChanged', value: '400', dc: 'CN=NTDS Settings,CN=DC2', invocationId: 'a' }, dc),
    ).toMatch(/DC2/);
    expect(dcMismatch({ marker: 'uSNChanged', value: '400', dc: dc.dc, invocationId: 'b' }, dc)).toMatch(
      /invocationId/,
    );
    expect(dcMismatch({ marker: 'uSNChanged', value: '9000', dc: dc.dc, invocationId: 'a' }, dc)).toMatch(/ahead/);
  });

  it('without highestCommittedUSN, falls back to the newest uSNChanged seen', () => {
    expect(usnCursor({}, ['7', '12', undefined, '9'])).toEqual({ marker: 'uSNChanged', value: '12' });
  });
});
