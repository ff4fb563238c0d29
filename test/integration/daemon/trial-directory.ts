import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { directoryLdif, groupDn, personDn, type LdifGroup, type LdifPerson } from '../../support/ldif.js';

/**
 * The compose trial's OpenLDAP directory (docker/openldap/sample.ldif) is the bundled CSV sample
 * (config/sample/) in LDAP form: the same people, groups and nesting, so both sync to the same teams.
 */
export function sampleLdif(root: string): string {
  const rows = (file: string) => parse(readFileSync(join(root, 'config/sample', file), 'utf8'), { columns: true, skip_empty_lines: true }) as Record<string, string>[];
  const people = rows('people.csv').map((r) => ({
    person: { uid: r.id!, cn: r.display_name!, mail: r.email!, disabled: r.enabled === 'false' } satisfies LdifPerson,
    groups: (r.groups ?? '').split(';').filter(Boolean),
  }));
  const groupRows = rows('groups.csv');
  const nameOf = new Map(groupRows.map((g) => [g.id!, g.name!]));
  const groups: LdifGroup[] = groupRows.map((g) => ({
    cn: g.name!,
    members: [
      ...people.filter((p) => p.groups.includes(g.id!)).map((p) => personDn(p.person)),
      ...groupRows.filter((c) => c.parent === g.id).map((c) => groupDn(nameOf.get(c.id!)!)),
    ],
  }));
  return directoryLdif(people.map((p) => p.person), groups);
}
