import { FilterParser } from 'ldapts';
import { describe, expect, it } from 'vitest';
import { changedSinceFilter } from '../../../../src/sources/ldap/cursor.js';
import { dialectOf, escapeFilterValue, inChainFilter, memberOfFilter } from '../../../../src/sources/ldap/presets.js';
import { ldapSourceSchema } from '../../../../src/sources/ldap/schema.js';

const config = (over: Record<string, unknown> = {}) =>
  ldapSourceSchema.parse({
    kind: 'ldap',
    url: 'ldap://ldap.example:389',
    bindDn: 'cn=svc,dc=example,dc=com',
    bindPassword: 'x',
    people: { baseDn: 'ou=people,dc=example,dc=com' },
    groups: { baseDn: 'ou=groups,dc=example,dc=com' },
    ...over,
  });

/** The value a server sees after parsing the filter text. */
const parsedValue = (filter: string) => (FilterParser.parseString(filter) as unknown as { value: string }).value;

describe('filter values are escaped (RFC 4515)', () => {
  it('escapes *, (, ), \\ and NUL in strings, and every byte of binary values', () => {
    expect(escapeFilterValue('a*b(c)\\d\0')).toBe('a\\2ab\\28c\\29\\5cd\\00');
    expect(escapeFilterValue(Buffer.from([0x01, 0xff]))).toBe('\\01\\ff');
    expect(escapeFilterValue('Zoë, Ünal')).toBe('Zoë, Ünal');
  });

  it('builds memberOf filters from configured group DNs that round-trip to the exact DN', () => {
    const dn = 'cn=R&D (EU) *\\5C,ou=groups,dc=example,dc=com';
    const f = memberOfFilter([dn], false);
    expect(f).toBe('(memberOf=cn=R&D \\28EU\\29 \\2a\\5c5C,ou=groups,dc=example,dc=com)');
    expect(parsedValue(f)).toBe(dn);
    expect(memberOfFilter(['cn=a,dc=x', 'cn=b,dc=x'], false)).toBe('(|(memberOf=cn=a,dc=x)(memberOf=cn=b,dc=x))');
  });

  it('builds AD in-chain filters with the DN escaped', () => {
    const d = dialectOf(config({ preset: 'active-directory' }));
    expect(inChainFilter(d.peopleFilter, 'CN=R&D (EU) *,DC=x')).toBe(
      '(&(&(objectCategory=person)(objectClass=user))(memberOf:1.2.840.113556.1.4.1941:=CN=R&D \\28EU\\29 \\2a,DC=x))',
    );
    expect(memberOfFilter(['CN=Staff (all),DC=x'], true)).toBe(
      '(memberOf:1.2.840.113556.1.4.1941:=CN=Staff \\28all\\29,DC=x)',
    );
  });

  it('asks for changes at or strictly after the cursor, with its value escaped', () => {
    expect(changedSinceFilter({ marker: 'modifyTimestamp', value: '20260101000000Z' })).toBe(
      '(modifyTimestamp>=20260101000000Z)',
    );
    expect(changedSinceFilter({ marker: 'modifyTimestamp', value: '20260101000000Z', after: true })).toBe(
      '(&(modifyTimestamp>=20260101000000Z)(!(modifyTimestamp=20260101000000Z)))',
    );
    expect(changedSinceFilter({ marker: 'uSNChanged', value: '120035' })).toBe('(uSNChanged>=120035)');
    expect(changedSinceFilter({ marker: 'modifyTimestamp', value: '2026*)(uid=*' })).toBe(
      '(modifyTimestamp>=2026\\2a\\29\\28uid=\\2a)',
    );
  });

  it('scopes the people filter to configured groups', () => {
    const d = dialectOf(
      config({
        people: { baseDn: 'ou=people,dc=example,dc=com', memberOf: ['cn=app (prod),ou=groups,dc=example,dc=com'] },
      }),
    );
    expect(d.peopleFilter).toBe(
      '(&(objectClass=inetOrgPerson)(memberOf=cn=app \\28prod\\29,ou=groups,dc=example,dc=com))',
    );
    expect(() => FilterParser.parseString(d.peopleFilter)).not.toThrow();
  });
});

describe('LDAP source config', () => {
  it('needs a password or a password file, and keeps AD pages at most 1000', () => {
    expect(ldapSourceSchema.safeParse({ ...config(), bindPassword: undefined }).success).toBe(false);
    expect(
      ldapSourceSchema.safeParse({ ...config(), bindPassword: undefined, bindPasswordFile: '/run/secrets/ldap' })
        .success,
    ).toBe(true);
    const big = ldapSourceSchema.safeParse({ ...config(), preset: 'active-directory', pageSize: 2000 });
    expect(big.success).toBe(false);
    expect(JSON.stringify(big.error?.issues)).toMatch(/MaxPageSize/);
    expect(ldapSourceSchema.safeParse({ ...config(), pageSize: 2000 }).success).toBe(true);
  });

  it('defaults: page size 500, no server time limit, certificate verification on', () => {
    const c = config();
    expect([c.pageSize, c.timeLimitSeconds, c.insecureSkipVerify, c.timeoutMs, c.connectTimeoutMs]).toEqual([
      500,
      0,
      false,
      60_000,
      5000,
    ]);
  });
});
