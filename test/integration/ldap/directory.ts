import { directoryLdif, groupDn, personDn, type LdifGroup, type LdifPerson } from '../../support/ldif.js';
import { SUFFIX } from '../../support/slapd.js';

/** The test directory: 5,200 people, nesting three deep, a 1,501-member group, odd names. */
export const PEOPLE = 5_200;
export const people: LdifPerson[] = Array.from({ length: PEOPLE }, (_, i) => ({ uid: `user${i}`, cn: `User ${i}`, mail: `user${i}@example.com`, disabled: i % 50 === 49 }));
export const special: LdifPerson[] = [
  { uid: 'special1', cn: 'Müller, Jürgen (R&D) *\\', mail: 'juergen.mueller@example.com' },
  { uid: 'special2', cn: 'Smith, John (Ops) a*b\\c', mail: 'john.smith@example.com', rdn: 'cn' },
  { uid: 'zoe', cn: 'Zoë Ünal 日本', mail: 'zoe@example.com' },
  { uid: 'nomail', cn: 'No Mail' },
];
const u = (i: number) => personDn(people[i]!);
export const groups: LdifGroup[] = [
  { cn: 'engineering', members: [groupDn('platform'), u(0)] },
  { cn: 'platform', members: [groupDn('sre'), u(1)] },
  { cn: 'sre', members: [u(2), u(3)] },
  { cn: 'big', members: Array.from({ length: 1501 }, (_, i) => u(i)) },
  { cn: 'R&D (EU) *', members: special.slice(0, 3).map(personDn) },
  { cn: 'ghosts', members: [u(4), `uid=nobody,ou=people,${SUFFIX}`, `ou=people,${SUFFIX}`] },
  { cn: 'cycle-a', members: [groupDn('cycle-b'), u(5)] },
  { cn: 'cycle-b', members: [groupDn('cycle-a')] },
  ...Array.from({ length: 50 }, (_, k) => ({ cn: `team-${k}`, members: Array.from({ length: 100 }, (_, i) => u(k * 100 + i)) })),
];

export const ldif = () => directoryLdif([...people, ...special], groups);
