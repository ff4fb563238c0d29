import type { LdapSourceConfig } from './schema.js';

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
}

export function dialectOf(c: LdapSourceConfig): Dialect {
  const a = c.attributes;
  if (c.preset === 'active-directory') {
    return {
      peopleFilter: c.people.filter ?? '(&(objectCategory=person)(objectClass=user))',
      groupsFilter: c.groups.filter ?? '(objectClass=group)',
      id: a.id ?? 'objectGUID',
      idIsGuid: (a.id ?? 'objectGUID').toLowerCase() === 'objectguid',
      email: a.email ?? ['mail', 'userPrincipalName'],
      displayName: a.displayName ?? 'displayName',
      givenName: a.givenName ?? 'givenName',
      familyName: a.familyName ?? 'sn',
      groupName: a.groupName ?? 'cn',
      members: a.members ?? ['member'],
      changeMarker: 'uSNChanged',
      userAccountControl: true,
    };
  }
  return {
    peopleFilter: c.people.filter ?? '(objectClass=inetOrgPerson)',
    groupsFilter: c.groups.filter ?? '(|(objectClass=groupOfNames)(objectClass=groupOfUniqueNames))',
    id: a.id ?? 'entryUUID',
    idIsGuid: false,
    email: a.email ?? ['mail'],
    displayName: a.displayName ?? 'cn',
    givenName: a.givenName ?? 'givenName',
    familyName: a.familyName ?? 'sn',
    groupName: a.groupName ?? 'cn',
    members: a.members ?? ['member', 'uniqueMember'],
    changeMarker: 'modifyTimestamp',
    userAccountControl: false,
  };
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

/** RFC 4515 escaping of a value placed in a filter. */
export function escapeFilterValue(value: string | Buffer): string {
  if (Buffer.isBuffer(value)) return [...value].map((b) => `\\${b.toString(16).padStart(2, '0')}`).join('');
  return value.replace(/[\\*()\0]/g, (c) => `\\${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** AD transitive members of a group: (memberOf:1.2.840.113556.1.4.1941:=<dn>), DN escaped. */
export function inChainFilter(peopleFilter: string, groupDn: string): string {
  return `(&${peopleFilter}(memberOf:1.2.840.113556.1.4.1941:=${escapeFilterValue(groupDn)}))`;
}
