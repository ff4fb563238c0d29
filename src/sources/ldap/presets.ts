import { EqualityFilter, ExtensibleFilter, Filter, OrFilter } from 'ldapts';
import type { LdapSourceConfig } from './schema.js';
import type { AttributeTypes } from './subschema.js';

/** LDAP_MATCHING_RULE_IN_CHAIN: the DC walks nested membership. */
export const IN_CHAIN = '1.2.840.113556.1.4.1941';

/** What differs between OpenLDAP and Active Directory, resolved once from config + preset. */
export interface Dialect {
  peopleFilter: string;
  groupsFilter: string;
  id: string;
  /** The id attribute arrives as bytes (AD objectGUID). */
  idIsGuid: boolean;
  email: string[];
  displayName: string;
  givenName: string;
  familyName: string;
  groupName: string;
  members: string[];
  /** Attribute that moves forward on every change, for incremental reads. */
  changeMarker: 'modifyTimestamp' | 'uSNChanged';
  /** AD: userAccountControl bit 0x2 means disabled. */
  userAccountControl: boolean;
  /** OpenLDAP ppolicy: an account holding this (operational) attribute is locked, so disabled. */
  lockedAttribute?: string;
  /** The server's attribute types, once read: a listed attribute is found under its aliases too. */
  attributeTypes?: AttributeTypes;
}

/** ppolicy's lock mark: set on lockout (a time) or by an administrator (000001010000Z = locked for good). */
export const PPOLICY_LOCKED = 'pwdAccountLockedTime';

export function dialectOf(c: LdapSourceConfig): Dialect {
  const a = c.attributeNames;
  const ad = c.preset === 'active-directory';
  const base = ad
    ? {
        peopleFilter: c.people.filter ?? '(&(objectCategory=person)(objectClass=user))',
        groupsFilter: c.groups.filter ?? '(objectClass=group)',
        id: a.id ?? 'objectGUID',
        email: a.email ?? ['mail', 'userPrincipalName'],
        displayName: a.displayName ?? 'displayName',
        members: a.members ?? ['member'],
        changeMarker: 'uSNChanged' as const,
      }
    : {
        peopleFilter: c.people.filter ?? '(objectClass=inetOrgPerson)',
        groupsFilter: c.groups.filter ?? '(|(objectClass=groupOfNames)(objectClass=groupOfUniqueNames))',
        id: a.id ?? 'entryUUID',
        email: a.email ?? ['mail'],
        displayName: a.displayName ?? 'cn',
        members: a.members ?? ['member', 'uniqueMember'],
        changeMarker: 'modifyTimestamp' as const,
      };
  const scoped =
    c.people.memberOf.length > 0
      ? `(&${base.peopleFilter}${memberOfFilter(c.people.memberOf, ad && c.nested === 'in-chain')})`
      : base.peopleFilter;
  return {
    ...base,
    peopleFilter: scoped,
    idIsGuid: base.id.toLowerCase() === 'objectguid',
    givenName: a.givenName ?? 'givenName',
    familyName: a.familyName ?? 'sn',
    groupName: a.groupName ?? 'cn',
    userAccountControl: ad,
    // Without this, an OpenLDAP with no `disabled:` setting would keep provisioning locked accounts.
    ...(!ad && c.ppolicyLockDisables ? { lockedAttribute: PPOLICY_LOCKED } : {}),
  };
}

/** `(|(memberOf=<dn>)…)`, each DN escaped (RFC 4515); in-chain makes AD count nested membership. */
export function memberOfFilter(groupDns: string[], inChain: boolean): string {
  const one = (dn: string) =>
    inChain
      ? new ExtensibleFilter({ matchType: 'memberOf', rule: IN_CHAIN, value: dn })
      : new EqualityFilter({ attribute: 'memberOf', value: dn });
  const filters = groupDns.map(one);
  return (filters.length === 1 ? filters[0]! : new OrFilter({ filters })).toString();
}

/** AD transitive members of a group: (&<people>(memberOf:1.2.840.113556.1.4.1941:=<dn>)), DN escaped. */
export function inChainFilter(peopleFilter: string, groupDn: string): string {
  return `(&${peopleFilter}${new ExtensibleFilter({ matchType: 'memberOf', rule: IN_CHAIN, value: groupDn }).toString()})`;
}

/** RFC 4515 escaping of a value placed in a filter (ldapts' own escaper: strings and every byte of a Buffer). */
export function escapeFilterValue(value: string | Buffer): string {
  return Filter.escape(value);
}

/** objectGUID bytes -> the GUID text AD shows (first three groups little-endian). */
export function guidToString(b: Buffer): string {
  if (b.length !== 16) throw new Error(`objectGUID must be 16 bytes, got ${b.length}`);
  const h = b.toString('hex');
  const rev = (s: string) => s.match(/../g)!.reverse().join('');
  return `${rev(h.slice(0, 8))}-${rev(h.slice(8, 12))}-${rev(h.slice(12, 16))}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** userAccountControl: bit 0x2 (ACCOUNTDISABLE). */
export function adDisabled(userAccountControl: string | undefined): boolean {
  const n = Number(userAccountControl ?? '0');
  return Number.isFinite(n) && (n & 2) === 2;
}

/** `member;range=0-1499` -> {low: 0, high: 1499}; `member;range=1500-*` -> {low: 1500, high: '*'}. */
export function parseRange(attribute: string): { attribute: string; low: number; high: number | '*' } | undefined {
  const m = /^([^;]+);range=(\d+)-(\d+|\*)$/i.exec(attribute);
  if (!m) return undefined;
  return { attribute: m[1]!, low: Number(m[2]), high: m[3] === '*' ? '*' : Number(m[3]) };
}
