import { SUFFIX } from './slapd.js';

/** An LDIF line, base64 when the value is not plain ASCII-safe (RFC 2849). */
function line(attr: string, value: string): string {
  const safe = /^[\x20-\x7e]*$/.test(value) && !/^[ :<]/.test(value) && !/ $/.test(value);
  return safe ? `${attr}: ${value}` : `${attr}:: ${Buffer.from(value, 'utf8').toString('base64')}`;
}

/** RFC 4514 escaping of an RDN value. */
export function rdnValue(v: string): string {
  return v
    .replace(/[\\,+"<>;=]/g, (c) => `\\${c}`)
    .replace(/^([ #])/, '\\$1')
    .replace(/ $/, '\\ ');
}

export interface LdifPerson {
  uid: string;
  cn: string;
  mail?: string;
  disabled?: boolean;
  rdn?: 'uid' | 'cn';
  extra?: Record<string, string>;
}
export interface LdifGroup {
  cn: string;
  members: string[];
  unique?: boolean;
}

export const personDn = (p: LdifPerson) =>
  p.rdn === 'cn' ? `cn=${rdnValue(p.cn)},ou=people,${SUFFIX}` : `uid=${rdnValue(p.uid)},ou=people,${SUFFIX}`;
export const groupDn = (cn: string) => `cn=${rdnValue(cn)},ou=groups,${SUFFIX}`;

export function directoryLdif(people: LdifPerson[], groups: LdifGroup[]): string {
  const out: string[] = [
    `dn: ${SUFFIX}\nobjectClass: dcObject\nobjectClass: organization\ndc: example\no: Example`,
    `dn: ou=people,${SUFFIX}\nobjectClass: organizationalUnit\nou: people`,
    `dn: ou=groups,${SUFFIX}\nobjectClass: organizationalUnit\nou: groups`,
  ];
  for (const p of people) {
    out.push(
      [
        line('dn', personDn(p)),
        'objectClass: inetOrgPerson',
        line('uid', p.uid),
        line('cn', p.cn),
        line('sn', p.cn.split(' ').pop() || p.cn),
        line('givenName', p.cn.split(' ')[0] || p.cn),
        ...(p.mail ? [line('mail', p.mail)] : []),
        ...(p.disabled ? ['employeeType: disabled'] : ['employeeType: staff']),
        ...Object.entries(p.extra ?? {}).map(([k, v]) => line(k, v)),
      ].join('\n'),
    );
  }
  out.push(...groupsLdif(groups));
  return out.join('\n\n') + '\n';
}

/** Group entries only (groupOfNames, or groupOfUniqueNames with `unique`). */
export function groupsLdif(groups: LdifGroup[]): string[] {
  return groups.map((g) =>
    [
      line('dn', groupDn(g.cn)),
      `objectClass: ${g.unique ? 'groupOfUniqueNames' : 'groupOfNames'}`,
      line('cn', g.cn),
      ...g.members.map((m) => line(g.unique ? 'uniqueMember' : 'member', m)),
    ].join('\n'),
  );
}
