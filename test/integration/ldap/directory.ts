import { directoryLdif, groupDn, groupsLdif, personDn, type LdifGroup, type LdifPerson } from '../../support/ldif.js';
import { SUFFIX, type SlapdOptions } from '../../support/slapd.js';

/**
 * The test directory: 5,200 people, nesting three deep, a 1,501-member group, odd names, two
 * conventions for disabled people, a groupOfUniqueNames, read-only service accounts, and the ppolicy
 * overlay with one person it can lock.
 */
export const PEOPLE = 5_200;
/** pwdAccountLockedTime (ppolicy) on every 97th person: the "locked means disabled" convention. */
export const isLocked = (i: number) => i % 97 === 96;
export const people: LdifPerson[] = Array.from({ length: PEOPLE }, (_, i) => ({
  uid: `user${i}`,
  cn: `User ${i}`,
  mail: `user${i}@example.com`,
  disabled: i % 50 === 49,
  ...(isLocked(i) ? { extra: { pwdAccountLockedTime: '000001010000Z' } } : {}),
}));
export const special: LdifPerson[] = [
  { uid: 'special1', cn: 'Müller, Jürgen (R&D) *\\', mail: 'juergen.mueller@example.com' },
  { uid: 'special2', cn: 'Smith, John (Ops) a*b\\c', mail: 'john.smith@example.com', rdn: 'cn' },
  { uid: 'zoe', cn: 'Zoë Ünal 日本', mail: 'zoe@example.com' },
  { uid: 'nomail', cn: 'No Mail' },
];
const u = (i: number) => personDn(people[i]!);

/** A group whose DN needs every kind of escaping, used as a memberOf filter value. */
export const SCOPE_GROUP = 'Sales, EMEA (Team) *\\ ünï';
export const SCOPE_MEMBERS = 20;

export const groups: LdifGroup[] = [
  { cn: 'engineering', members: [groupDn('platform'), u(0)] },
  { cn: 'platform', members: [groupDn('sre'), u(1)] },
  { cn: 'sre', members: [u(2), u(3)] },
  { cn: 'big', members: Array.from({ length: 1501 }, (_, i) => u(i)) },
  { cn: 'R&D (EU) *', members: special.slice(0, 3).map(personDn) },
  {
    cn: SCOPE_GROUP,
    members: [...special.slice(0, 3).map(personDn), ...Array.from({ length: SCOPE_MEMBERS }, (_, i) => u(i))],
  },
  { cn: 'ghosts', members: [u(4), `uid=nobody,ou=people,${SUFFIX}`, `ou=people,${SUFFIX}`] },
  { cn: 'cycle-a', members: [groupDn('cycle-b'), u(5)] },
  { cn: 'cycle-b', members: [groupDn('cycle-a')] },
  { cn: 'legacy', unique: true, members: [`${u(6)}#'0101'B`, u(7)] },
  ...Array.from({ length: 50 }, (_, k) => ({
    cn: `team-${k}`,
    members: Array.from({ length: 100 }, (_, i) => u(k * 100 + i)),
  })),
];

export const SERVICE_DN = `cn=rostersync,ou=services,${SUFFIX}`;
export const SERVICE_PASSWORD = 'svc-Secret-4711';
/** A reader with OpenLDAP's default size limit (500): a full read must fail, not come back short. */
export const LIMITED_DN = `cn=limited,ou=services,${SUFFIX}`;
export const LIMITED_PASSWORD = 'limited-Secret-0815';

/**
 * A person the ppolicy overlay locks for real: a policy that locks after two failed binds applies
 * to them alone (pwdPolicySubentry; no default policy, so nobody else is ever locked). In an OU of
 * their own, so the counts the other tests check stay put.
 */
export const LOCKOUT_OU = `ou=lockout,${SUFFIX}`;
export const LOCKOUT_DN = `uid=locksmith,${LOCKOUT_OU}`;
export const LOCKOUT_PASSWORD = 'lock-Secret-2718';
const POLICY_DN = `cn=lock-after-two,ou=services,${SUFFIX}`;
const lockout = [
  `dn: ${POLICY_DN}\nobjectClass: organizationalRole\nobjectClass: pwdPolicy\ncn: lock-after-two\npwdAttribute: userPassword\npwdLockout: TRUE\npwdMaxFailure: 2\npwdLockoutDuration: 0`,
  `dn: ${LOCKOUT_OU}\nobjectClass: organizationalUnit\nou: lockout`,
  `dn: ${LOCKOUT_DN}\nobjectClass: inetOrgPerson\nuid: locksmith\ncn: Lock Smith\nsn: Smith\nmail: locksmith@example.com\nuserPassword: ${LOCKOUT_PASSWORD}\npwdPolicySubentry: ${POLICY_DN}`,
].join('\n\n');

const services = [
  `dn: ou=services,${SUFFIX}\nobjectClass: organizationalUnit\nou: services`,
  `dn: ${SERVICE_DN}\nobjectClass: organizationalRole\nobjectClass: simpleSecurityObject\ncn: rostersync\nuserPassword: ${SERVICE_PASSWORD}`,
  `dn: ${LIMITED_DN}\nobjectClass: organizationalRole\nobjectClass: simpleSecurityObject\ncn: limited\nuserPassword: ${LIMITED_PASSWORD}`,
].join('\n\n');

/**
 * People and accounts are bulk-loaded (slapadd); groups are added to the running server so the
 * memberof overlay maintains memberOf as it does for live writes. Anonymous users read nothing.
 */
export function directory(): { ldif: string; options: SlapdOptions } {
  return {
    ldif: `${directoryLdif([...people, ...special], [])}\n${services}\n\n${lockout}\n`,
    options: {
      modules: ['ppolicy'],
      database: [
        'overlay ppolicy',
        'sizelimit 500',
        `limits dn.exact="${SERVICE_DN}" size.soft=unlimited size.hard=unlimited size.prtotal=unlimited time=unlimited`,
        'access to attrs=userPassword by anonymous auth by * none',
        `access to * by dn.exact="${SERVICE_DN}" read by dn.exact="${LIMITED_DN}" read by * none`,
      ],
      ldifAfterStart: `${groupsLdif(groups).join('\n\n')}\n`,
    },
  };
}
