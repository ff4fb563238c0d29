import { describe, expect, it } from 'vitest';
import { makePlan } from '../../../src/plan/make-plan.js';
import { fitName } from '../../../src/plan/team-name.js';
import type { PlanInput } from '../../../src/plan/plan-input.js';
import { CHARTIO_CAPABILITIES } from '../../../src/targets/chartio/index.js';
import { actual, desired, input, line } from './builders.js';

/** Day-2 changes: groups deleted, emails changed, names the target folds or refuses. */
interface Case {
  name: string;
  given: PlanInput;
  ops: string[];
  blocked?: string;
  warning?: RegExp;
}

const links = (
  o: {
    users?: [string, string][];
    teams?: [string, string][];
    granted?: string[];
    teamGroups?: [string, string][];
  } = {},
) => ({
  users: new Map(o.users ?? []),
  teams: new Map(o.teams ?? []),
  granted: new Set(o.granted ?? []),
  teamGroups: new Map(o.teamGroups ?? []),
});
const oldGroup = {
  teams: [['group:g-old', 't-Old']] as [string, string][],
  teamGroups: [['group:g-old', 'Old Group']] as [string, string][],
};
const LONG = `Data ${'x'.repeat(295)}`;

const goneGroups: Case[] = [
  {
    name: 'a deleted group: its linked team is emptied, and the plan names the group',
    given: input(
      desired({ 'a@corp.com': ['Eng'], 'b@corp.com': ['Eng'] }),
      actual({ Eng: ['a@corp.com', 'b@corp.com'], Old: ['a@corp.com', 'b@corp.com'] }),
      { links: links(oldGroup) },
    ),
    ops: ['removeMember a@corp.com <- Old', 'removeMember b@corp.com <- Old'],
    warning: /^group "Old Group" is gone: team "Old" emptied \(2 removed\)$/m,
  },
  {
    name: 'a deleted group with prune: its team is deleted',
    given: input(desired({ 'a@corp.com': ['Eng'] }), actual({ Eng: ['a@corp.com'], Old: ['a@corp.com'] }), {
      links: links(oldGroup),
      policy: { prune: true },
    }),
    ops: ['deleteTeam Old'],
    warning: /group "Old Group" is gone: team "Old" deleted \(prune\)/,
  },
  {
    name: 'a leaver whose last team is the emptied one keeps it (a user keeps one team)',
    given: input(
      desired({ 'a@corp.com': ['Eng'] }),
      actual({ Eng: ['a@corp.com'], Old: ['a@corp.com', 'gone@corp.com'] }),
      { links: links(oldGroup) },
    ),
    ops: ['removeMember a@corp.com <- Old'],
    warning:
      /gone@corp.com is no longer in the directory but would be left with no team; kept on "Old"[\s\S]*emptied \(1 removed; 1 kept: gone@corp.com\)$/m,
  },
  {
    name: 'additive membership: only the memberships the sync granted leave the team',
    given: input(
      desired({ 'a@corp.com': ['Eng'], 'b@corp.com': ['Eng'] }),
      actual({ Eng: ['a@corp.com', 'b@corp.com'], Old: ['a@corp.com', 'b@corp.com'] }),
      {
        links: links({ ...oldGroup, granted: ['u-a@corp.com|t-Old'] }),
        policy: { membership: 'additive' },
      },
    ),
    ops: ['removeMember a@corp.com <- Old'],
  },
  {
    name: 'a team named in mapping.groups whose group is missing is emptied like one whose group was deleted',
    given: input(
      {
        ...desired({ 'a@corp.com': ['Eng'] }),
        teams: [
          { name: 'Data', key: 'name:Data', gone: 'Data Team' },
          { name: 'Eng', key: 'name:Eng' },
        ],
      },
      actual({ Eng: ['a@corp.com'], Data: ['a@corp.com'] }),
    ),
    ops: ['removeMember a@corp.com <- Data'],
    warning: /group "Data Team" is gone: team "Data" emptied/,
  },
  {
    name: 'a team named in mapping.groups whose group is missing is never created',
    given: input(
      {
        ...desired({ 'a@corp.com': ['Eng'] }),
        teams: [
          { name: 'Data', key: 'name:Data', gone: 'Data Team' },
          { name: 'Eng', key: 'name:Eng' },
        ],
      },
      actual({ Eng: ['a@corp.com'] }),
    ),
    ops: [],
  },
  {
    name: 'an emptied team is quiet on the next run',
    given: input(desired({ 'a@corp.com': ['Eng'] }), actual({ Eng: ['a@corp.com'], Old: [] }), {
      links: links(oldGroup),
    }),
    ops: [],
  },
  {
    name: 'a link whose team another mapped group now produces is not a gone team',
    given: input(desired({ 'a@corp.com': ['Old'] }), actual({ Old: ['a@corp.com'] }), { links: links(oldGroup) }),
    ops: [],
  },
  {
    name: 'Owners and protected teams are never emptied, even when linked',
    given: input(
      desired({ 'a@corp.com': ['Eng'] }),
      actual({ Eng: ['a@corp.com'], Old: ['a@corp.com'] }, { owners: ['admin@corp.com', 'a@corp.com'] }),
      {
        links: links({
          teams: [
            ['group:g-own', 't-Owners'],
            ['group:g-old', 't-Old'],
          ],
        }),
        policy: { protectedTeams: ['old'] },
      },
    ),
    ops: [],
  },
  {
    name: 'emptied teams count as deletions: many at once are blocked',
    given: input(
      desired({ 'a@corp.com': ['Eng'] }),
      actual({ Eng: ['a@corp.com'], A: ['a@corp.com'], B: ['a@corp.com'], C: ['a@corp.com'] }),
      {
        links: links({
          teams: [
            ['group:a', 't-A'],
            ['group:b', 't-B'],
            ['group:c', 't-C'],
          ],
        }),
        policy: { maxDeletes: 2 },
      },
    ),
    ops: ['removeMember a@corp.com <- A', 'removeMember a@corp.com <- B', 'removeMember a@corp.com <- C'],
    blocked: 'TOO_MANY_DELETES',
  },
];

const moved = { users: [['s-new@corp.com', 'u-old@corp.com']] as [string, string][] };
const emailChanges: Case[] = [
  {
    name: 'email changed (recreate): the new address is created with the teams, the old one leaves the managed teams it may',
    given: input(
      desired({ 'new@corp.com': ['Data', 'Eng'] }),
      actual({ Eng: ['old@corp.com'], Data: ['old@corp.com'] }),
      { links: links(moved) },
    ),
    ops: ['createUser new@corp.com on Data', 'addMember new@corp.com -> Eng', 'removeMember old@corp.com <- Eng'],
    warning:
      /^email changed: old@corp.com -> new@corp.com: the new address gets the person's teams; the old account is deprovisioned \(remove-from-managed-teams\)$/m,
  },
  {
    name: 'email changed with deprovision delete-user: the old account is deleted',
    given: input(
      desired({ 'new@corp.com': ['Data', 'Eng'] }),
      actual({ Eng: ['old@corp.com'], Data: ['old@corp.com'] }),
      { links: links(moved), policy: { deprovision: 'delete-user' } },
    ),
    ops: ['createUser new@corp.com on Data', 'addMember new@corp.com -> Eng', 'deleteUser old@corp.com'],
  },
  {
    name: 'email changed to an address that already has an account: that account gets the teams',
    given: input(
      desired({ 'new@corp.com': ['Data', 'Eng'] }),
      actual({ Eng: ['old@corp.com'], Data: ['new@corp.com'] }),
      { links: links(moved), policy: { deprovision: 'delete-user' } },
    ),
    ops: ['addMember new@corp.com -> Eng', 'deleteUser old@corp.com'],
  },
  {
    name: 'email changed with deprovision none: the old account is kept, and the plan says so',
    given: input(desired({ 'new@corp.com': ['Eng'] }), actual({ Eng: ['old@corp.com'] }), {
      links: links(moved),
      policy: { deprovision: 'none' },
    }),
    ops: ['createUser new@corp.com on Eng'],
    warning: /the old account is kept \(deprovision: none\)/,
  },
  {
    name: 'email changed to an address linked to another person: kept, reported',
    given: input(desired({ 'new@corp.com': ['Eng'] }), actual({ Eng: ['old@corp.com', 'new@corp.com'] }), {
      links: links({ users: [...moved.users, ['someone', 'u-new@corp.com']] }),
    }),
    ops: [],
    warning: /the new address belongs to another account \(u-new@corp.com, linked to someone\)/,
  },
  {
    name: 'email changed on a target that changes emails in place: the same account gets the new address',
    given: input(desired({ 'new@corp.com': ['Eng'] }), actual({ Eng: ['old@corp.com'] }), {
      links: links(moved),
      capabilities: { ...CHARTIO_CAPABILITIES, emailChange: 'in-place' },
    }),
    ops: ['setUser old@corp.com ous=- roles=- email=new@corp.com'],
    warning: /email changed: old@corp.com -> new@corp.com: changed in place on user u-old@corp.com/,
  },
  {
    name: 'email changed in place to an address another account holds: kept, reported',
    given: input(desired({ 'new@corp.com': ['Eng'] }), actual({ Eng: ['old@corp.com', 'new@corp.com'] }), {
      links: links(moved),
      capabilities: { ...CHARTIO_CAPABILITIES, emailChange: 'in-place' },
    }),
    ops: [],
    warning: /the new address belongs to another account \(u-new@corp.com\); user u-old@corp.com kept as is/,
  },
  {
    name: 'email changed where accounts come with the first sign-in: the old account keeps the access until then',
    given: input(desired({ 'new@corp.com': ['Eng'] }), actual({ Eng: ['old@corp.com'] }), {
      links: links(moved),
      capabilities: { ...CHARTIO_CAPABILITIES, userCreation: 'first-login' },
    }),
    ops: [],
    warning:
      /email changed: old@corp.com -> new@corp.com: the new address has no account yet; user u-old@corp.com kept until it has/,
  },
];

const names: Case[] = [
  {
    name: 'names that differ only in case are one team on a case-insensitive target: merged, never a second team',
    given: input(
      desired({ 'a@corp.com': ['Data Team'], 'b@corp.com': ['data team'] }),
      actual({ 'Data Team': ['a@corp.com'] }),
    ),
    ops: ['createUser b@corp.com on Data Team'],
    warning: /teams "Data Team" and "data team" are one team in the target/,
  },
  {
    name: 'the merged team is stable: the next run writes nothing',
    given: input(
      desired({ 'a@corp.com': ['Data Team'], 'b@corp.com': ['data team'] }),
      actual({ 'Data Team': ['a@corp.com', 'b@corp.com'] }),
      {
        links: links({ teams: [['name:Data Team', 't-Data Team']] }),
      },
    ),
    ops: [],
  },
  {
    name: 'a name over the target limit is cut with a hash suffix, created, and its members created on it in the same run',
    given: input(desired({ 'a@corp.com': [LONG] }), actual({})),
    ops: [`createTeam ${fitName(LONG, 255)}`, `createUser a@corp.com on ${fitName(LONG, 255)}`],
    warning: /is 300 characters; the target allows 255: named "Data x+~[0-9a-f]{8}"/,
  },
  {
    name: 'a shortened name matches the team made from it: the next run writes nothing',
    given: input(desired({ 'a@corp.com': [LONG] }), actual({ [fitName(LONG, 255)]: ['a@corp.com'] })),
    ops: [],
  },
];

describe('day 2 planning', () => {
  it.each([...goneGroups, ...emailChanges, ...names])('$name', ({ given, ops, blocked, warning }) => {
    const { plan } = makePlan(given);
    expect(plan.phases.flat().map(line)).toEqual(ops);
    expect(plan.blocked?.code).toBe(blocked);
    if (warning) expect(plan.warnings.join('\n')).toMatch(warning);
  });

  it('an email change is one plan line per person; the old account waits for the new one and keeps no link', () => {
    const { plan, observations } = makePlan(
      input(desired({ 'new@corp.com': ['Data', 'Eng'] }), actual({ Eng: ['old@corp.com'], Data: ['old@corp.com'] }), {
        links: links(moved),
        policy: { deprovision: 'delete-user' },
      }),
    );
    const ops = plan.phases.flat();
    expect(plan.warnings.filter((w) => w.startsWith('email changed: '))).toEqual([
      expect.stringMatching(/^email changed: old@corp.com -> new@corp.com: /),
    ]);
    const del = ops.find((o) => o.kind === 'deleteUser')!;
    expect(del.dependsOn).toEqual(
      ops.filter((o) => o.kind === 'createUser' || o.kind === 'addMember').map((o) => o.key),
    );
    expect(del.kind === 'deleteUser' && del.user.sourceId).toBeUndefined();
    expect(plan.stats.deletions).toBe(1);
    expect(observations.userLinks).toEqual([]);
  });

  it('an email moved to an existing account moves the identity link there (an observation)', () => {
    const { observations } = makePlan(
      input(desired({ 'new@corp.com': ['Eng'] }), actual({ Eng: ['old@corp.com', 'new@corp.com'] }), {
        links: links(moved),
      }),
    );
    expect(observations.userLinks).toEqual([['s-new@corp.com', 'u-new@corp.com']]);
  });

  it('remembers the name of the group behind each group-keyed team', () => {
    const d = {
      ...desired({ 'a@corp.com': ['Eng'] }),
      teams: [{ name: 'Eng', key: 'group:g-eng', group: 'Engineering' }],
    };
    expect(makePlan(input(d, actual({ Eng: ['a@corp.com'] }))).observations.teamGroups).toEqual([
      ['group:g-eng', 'Engineering'],
    ]);
    expect(
      makePlan(
        input(d, actual({ Eng: ['a@corp.com'] }), { links: links({ teamGroups: [['group:g-eng', 'Engineering']] }) }),
      ).observations.teamGroups,
    ).toEqual([]);
  });

  it('shortens names stably, apart for names that share their start, within the limit, without splitting a character', () => {
    expect(fitName(LONG, 255)).toBe(fitName(LONG, 255));
    expect(fitName(LONG, 255)).toHaveLength(255);
    expect(fitName(`${LONG}y`, 255)).not.toBe(fitName(LONG, 255));
    expect(fitName('short', 255)).toBe('short');
    const emoji = fitName('😀'.repeat(200), 255);
    expect(emoji.length).toBeLessThanOrEqual(255);
    expect(emoji).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
  });
});
