import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';

const SUFFIX = 'dc=example,dc=com';

/** An LDIF line, base64 when the value is not plain ASCII-safe (RFC 2849). */
const line = (attr: string, value: string) =>
  /^[\x20-\x7e]*$/.test(value) && !/^[ :<]/.test(value) && !/ $/.test(value)
    ? `${attr}: ${value}`
    : `${attr}:: ${Buffer.from(value, 'utf8').toString('base64')}`;
/** RFC 4514 escaping of an RDN value. */
const rdn = (v: string) =>
  v
    .replace(/[\\,+"<>;=]/g, (c) => `\\${c}`)
    .replace(/^([ #])/, '\\$1')
    .replace(/ $/, '\\ ');

/**
 * The compose trial's OpenLDAP directory (docker/openldap/sample.ldif) is the bundled CSV sample
 * (config/sample/) in LDAP form: the same people, groups and nesting, so both sync to the same teams.
 */
export function sampleLdif(root: string): string {
  const rows = (file: string) =>
    parse(readFileSync(join(root, 'config/sample', file), 'utf8'), { columns: true, skip_empty_lines: true }) as Record<
      string,
      string
    >[];
  const people = rows('people.csv');
  const groups = rows('groups.csv');
  const personDn = (id: string) => `uid=${rdn(id)},ou=people,${SUFFIX}`;
  const groupDn = (id: string) => `cn=${rdn(groups.find((g) => g.id === id)!.name!)},ou=groups,${SUFFIX}`;
  const entries = [
    `dn: ${SUFFIX}\nobjectClass: dcObject\nobjectClass: organization\ndc: example\no: Example`,
    `dn: ou=people,${SUFFIX}\nobjectClass: organizationalUnit\nou: people`,
    `dn: ou=groups,${SUFFIX}\nobjectClass: organizationalUnit\nou: groups`,
    ...people.map((p) =>
      [
        line('dn', personDn(p.id!)),
        'objectClass: inetOrgPerson',
        line('uid', p.id!),
        line('cn', p.display_name!),
        line('givenName', p.given_name!),
        line('sn', p.family_name!),
        line('mail', p.email!),
        `employeeType: ${p.enabled === 'false' ? 'disabled' : 'staff'}`,
      ].join('\n'),
    ),
    ...groups.map((g) =>
      [
        line('dn', groupDn(g.id!)),
        'objectClass: groupOfNames',
        line('cn', g.name!),
        ...people
          .filter((p) => (p.groups ?? '').split(';').includes(g.id!))
          .map((p) => line('member', personDn(p.id!))),
        ...groups.filter((c) => c.parent === g.id).map((c) => line('member', groupDn(c.id!))),
      ].join('\n'),
    ),
  ];
  return entries.join('\n\n') + '\n';
}
