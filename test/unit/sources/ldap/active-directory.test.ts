import type { Client } from 'ldapts';
import { describe, expect, it } from 'vitest';
import { SourceReadError } from '../../../../src/errors/index.js';
import { buildSnapshot, dnKey } from '../../../../src/sources/ldap/build-snapshot.js';
import { adDisabled, dialectOf, escapeFilterValue, guidToString, inChainFilter, parseRange } from '../../../../src/sources/ldap/presets.js';
import { readGroups, readPeople } from '../../../../src/sources/ldap/read-directory.js';
import { ldapSourceSchema } from '../../../../src/sources/ldap/schema.js';

const ad = ldapSourceSchema.parse({
  kind: 'ldap', url: 'ldaps://dc1.corp.example:636', bindDn: 'CN=svc,DC=corp,DC=example', bindPassword: 'x', preset: 'active-directory',
  people: { baseDn: 'OU=Staff,DC=corp,DC=example' }, groups: { baseDn: 'OU=Groups,DC=corp,DC=example' },
});
const d = dialectOf(ad);

// Recorded from an AD DC: objectGUID bytes as ldapts returns them with explicitBufferAttributes.
const GUID_BYTES = Buffer.from('c1e8b0b3a2f44c4f9d3e5a6b7c8d9e0f', 'hex');
const memberDn = (i: number) => `CN=User ${i},OU=Staff,DC=corp,DC=example`;

/** Replays recorded AD answers: a paged group search, then base searches for further member ranges. */
function recordedClient(ranges: Record<string, Record<string, unknown>>, pages: Record<string, unknown>[][]): Client {
  return {
    async *searchPaginated() {
      for (const page of pages) yield { searchEntries: page, searchReferences: [] };
    },
    async search(_dn: string, opts: { attributes: string[] }) {
      const wanted = opts.attributes[0]!;
      const entry = ranges[wanted];
      return { searchEntries: entry ? [{ dn: 'CN=Big,OU=Groups,DC=corp,DC=example', ...entry }] : [], searchReferences: [] };
    },
  } as unknown as Client;
}

describe('Active Directory preset', () => {
  it('turns objectGUID bytes into the GUID text AD shows', () => {
    expect(guidToString(GUID_BYTES)).toBe('b3b0e8c1-f4a2-4f4c-9d3e-5a6b7c8d9e0f');
    expect(() => guidToString(Buffer.alloc(3))).toThrow(/16 bytes/);
  });

  it('reads userAccountControl bit 2 as disabled', () => {
    expect(adDisabled('512')).toBe(false); // NORMAL_ACCOUNT
    expect(adDisabled('514')).toBe(true); // NORMAL_ACCOUNT | ACCOUNTDISABLE
    expect(adDisabled('66050')).toBe(true); // + DONT_EXPIRE_PASSWORD
    expect(adDisabled(undefined)).toBe(false);
  });

  it('parses range retrieval attribute names', () => {
    expect(parseRange('member;range=0-1499')).toEqual({ attribute: 'member', low: 0, high: 1499 });
    expect(parseRange('member;range=1500-*')).toEqual({ attribute: 'member', low: 1500, high: '*' });
    expect(parseRange('Member;Range=3000-4499')).toEqual({ attribute: 'Member', low: 3000, high: 4499 });
    expect(parseRange('member')).toBeUndefined();
  });

  it('escapes filter values (RFC 4515), strings and bytes', () => {
    expect(escapeFilterValue('a*b(c)\\d')).toBe('a\\2ab\\28c\\29\\5cd');
    expect(escapeFilterValue(Buffer.from([0x01, 0xff]))).toBe('\\01\\ff');
    expect(inChainFilter(d.peopleFilter, 'CN=R&D (EU) *,DC=x')).toBe('(&(&(objectCategory=person)(objectClass=user))(memberOf:1.2.840.113556.1.4.1941:=CN=R&D \\28EU\\29 \\2a,DC=x))');
  });

  it('reads a 1,501-member group through member;range chunks as 1,501', async () => {
    const first = { dn: 'CN=Big,OU=Groups,DC=corp,DC=example', objectGUID: GUID_BYTES, cn: 'Big', member: [], 'member;range=0-1499': Array.from({ length: 1500 }, (_, i) => memberDn(i)) };
    const client = recordedClient({ 'member;range=1500-*': { 'member;range=1500-*': [memberDn(1500)] } }, [[first]]);
    const n = { pages: 0, requests: 0 };
    const [group] = await readGroups(client, ad, d, n);
    expect(group!.memberDns).toHaveLength(1501);
    expect(new Set(group!.memberDns).size).toBe(1501);
    expect(group!.id).toBe('b3b0e8c1-f4a2-4f4c-9d3e-5a6b7c8d9e0f');
    expect(n.requests).toBe(2);
  });

  it('fails the read when a range chunk does not arrive, instead of reading the group short', async () => {
    const first = { dn: 'CN=Big,OU=Groups,DC=corp,DC=example', objectGUID: GUID_BYTES, cn: 'Big', 'member;range=0-1499': Array.from({ length: 1500 }, (_, i) => memberDn(i)) };
    const client = recordedClient({}, [[first]]);
    const err = await readGroups(client, ad, d, { pages: 0, requests: 0 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceReadError);
    expect((err as SourceReadError).code).toBe('SOURCE_INCOMPLETE');
  });

  it('maps recorded AD users: GUID id, mail falling back to userPrincipalName, disabled flag', async () => {
    const users = [
      { dn: memberDn(1), objectGUID: GUID_BYTES, mail: 'one@corp.example', displayName: 'User One', userAccountControl: '512', uSNChanged: '9001' },
      { dn: memberDn(2), objectGUID: Buffer.alloc(16, 7), mail: [], userPrincipalName: 'two@corp.example', displayName: 'User Two', userAccountControl: '514', uSNChanged: '9002' },
    ];
    const { people } = await readPeople(recordedClient({}, [users]), ad, d, { pages: 0, requests: 0 });
    expect(people.map((p) => [p.email, p.enabled, p.marker])).toEqual([['one@corp.example', true, '9001'], ['two@corp.example', false, '9002']]);
    expect(people[1]!.id).toBe('07070707-0707-0707-0707-070707070707');
  });
});

describe('DN keys', () => {
  it('match however the server escapes and spaces them', () => {
    expect(dnKey('CN=Smith\\, John,OU=People,DC=x')).toBe(dnKey('cn=Smith\\2C John, ou=people,dc=X'));
    expect(dnKey('cn=Zo\\C3\\AB,dc=x')).toBe(dnKey('cn=Zoë,dc=x'));
    expect(dnKey('cn=a\\,b,dc=x')).not.toBe(dnKey('cn=a,cn=b,dc=x'));
  });

  it('build memberships from member DNs and count foreign members', () => {
    const snap = buildSnapshot(
      [{ dn: 'CN=A,DC=x', id: 'a', email: 'a@x.com', displayName: 'A', enabled: true }],
      [{ dn: 'CN=G,DC=x', id: 'g', name: 'G', memberDns: ['cn=a, dc=x', 'CN=H,DC=x', 'CN=Printer,DC=x'] }, { dn: 'CN=H,DC=x', id: 'h', name: 'H', memberDns: [] }],
    );
    expect(snap.people[0]!.groupIds).toEqual(['g']);
    expect(snap.groups.find((g) => g.sourceId === 'h')!.parentIds).toEqual(['g']);
    expect(snap.issues).toEqual([{ where: 'groups', reason: '1 member(s) are neither people in scope nor groups: ignored' }]);
  });
});
