import { describe, expect, it } from 'vitest';
import { assertAcyclic, makePlan } from '../../../src/plan/make-plan.js';
import type { Op } from '../../../src/model/index.js';
import type { PlanInput } from '../../../src/plan/plan-input.js';
import { actual, desired, input, line } from './builders.js';
import { CHARTIO_CAPABILITIES } from '../../../src/targets/chartio/index.js';

interface Case {
  name: string;
  given: PlanInput;
  ops: string[];
  blocked?: string;
  warning?: RegExp;
}

const links = (users: [string, string][] = [], teams: [string, string][] = [], granted: string[] = []) => ({
  users: new Map(users),
  teams: new Map(teams),
  granted: new Set(granted),
});

const cases: Case[] = [
  {
    name: 'empty target: teams created, each new user created on one team and added to the rest',
    given: input(desired({ 'a@corp.com': ['Eng', 'Data'], 'b@corp.com': ['Eng'] }), actual({})),
    ops: [
      'createTeam Data',
      'createTeam Eng',
      'createUser a@corp.com on Data',
      'createUser b@corp.com on Eng',
      'addMember a@corp.com -> Eng',
    ],
  },
  {
    name: 'target already matches: zero ops',
    given: input(desired({ 'a@corp.com': ['Eng'] }), actual({ Eng: ['a@corp.com'] })),
    ops: [],
  },
  {
    name: 'a new user is created on a team that already exists rather than on a new one',
    given: input(desired({ 'a@corp.com': ['Aaa', 'Eng'] }), actual({ Eng: [] })),
    ops: ['createTeam Aaa', 'createUser a@corp.com on Eng', 'addMember a@corp.com -> Aaa'],
  },
  {
    name: 'group move: add to the new team before removing from the old one',
    given: input(desired({ 'a@corp.com': ['Sales'] }, ['Eng']), actual({ Eng: ['a@corp.com'], Sales: [] })),
    ops: ['addMember a@corp.com -> Sales', 'removeMember a@corp.com <- Eng'],
  },
  {
    name: 'users are matched by email, trimmed and case-insensitive, and the link is recorded',
    given: input(desired({ ' A@Corp.com ': ['Eng'] }), actual({ Eng: ['a@corp.com'] })),
    ops: [],
  },
  {
    name: 'identity link wins over email: with emailChange keep, a changed email is reported, not delete + re-create',
    given: input(desired({ 'a@corp.com': ['Eng', 'Data'] }), actual({ Eng: ['alice@personal.me'], Data: [] }), {
      links: links([['s-a@corp.com', 'u-alice@personal.me']]),
      policy: { emailChange: 'keep' },
    }),
    ops: ['addMember alice@personal.me -> Data'],
    warning:
      /email changed: alice@personal.me -> a@corp.com: policy.emailChange is keep; user u-alice@personal.me kept as is/,
  },
  {
    name: 'an email match linked to another directory person is a conflict: skipped',
    given: input(desired({ 'a@corp.com': ['Eng', 'Data'] }), actual({ Eng: ['a@corp.com'], Data: [] }), {
      links: links([['someone-else', 'u-a@corp.com']]),
    }),
    ops: [],
    warning: /linked to another directory person/,
  },
  {
    name: 'teams the mapping does not produce are left alone (memberships there kept)',
    given: input(desired({ 'a@corp.com': ['Eng'] }), actual({ Eng: ['a@corp.com'], Finance: ['a@corp.com'] })),
    ops: [],
  },
  {
    name: 'users only in unmanaged teams are not deprovisioned',
    given: input(desired({ 'a@corp.com': ['Eng'] }), actual({ Eng: ['a@corp.com'], Finance: ['x@corp.com'] }), {
      policy: { deprovision: 'delete-user' },
    }),
    ops: [],
  },
  {
    name: 'deprovision remove-from-managed-teams: leaver removed from managed teams, keeps unmanaged ones',
    given: input(
      desired({ 'a@corp.com': ['Eng'] }),
      actual({ Eng: ['a@corp.com', 'gone@corp.com'], Finance: ['gone@corp.com'] }),
    ),
    ops: ['removeMember gone@corp.com <- Eng'],
  },
  {
    name: 'a removal that would leave a user with no team is skipped with a warning',
    given: input(
      desired({ 'a@corp.com': ['Eng'] }, ['Data']),
      actual({ Eng: ['a@corp.com', 'gone@corp.com'], Data: ['gone@corp.com'] }),
    ),
    ops: ['removeMember gone@corp.com <- Eng'],
    warning: /would be left with no team; kept on "Data"/,
  },
  {
    name: 'deprovision delete-user: the leaver is deleted',
    given: input(desired({ 'a@corp.com': ['Eng'] }), actual({ Eng: ['a@corp.com', 'gone@corp.com'] }), {
      policy: { deprovision: 'delete-user' },
    }),
    ops: ['deleteUser gone@corp.com'],
  },
  {
    name: 'deprovision none: nothing removed, a warning counts the leavers',
    given: input(desired({ 'a@corp.com': ['Eng'] }), actual({ Eng: ['a@corp.com', 'gone@corp.com'] }), {
      policy: { deprovision: 'none' },
    }),
    ops: [],
    warning: /1 users are no longer in the directory/,
  },
  {
    name: 'grace period: a leaver first seen absent now is kept',
    given: input(desired({ 'a@corp.com': ['Eng'] }), actual({ Eng: ['a@corp.com', 'gone@corp.com'] }), {
      policy: { deprovision: 'delete-user', deprovisionAfter: 86_400_000 },
    }),
    ops: [],
  },
  {
    name: 'grace period over: the leaver is deprovisioned',
    given: input(desired({ 'a@corp.com': ['Eng'] }), actual({ Eng: ['a@corp.com', 'gone@corp.com'] }), {
      policy: { deprovision: 'delete-user', deprovisionAfter: 86_400_000 },
      tombstones: new Map([['u-gone@corp.com', Date.parse('2025-12-30T00:00:00Z')]]),
    }),
    ops: ['deleteUser gone@corp.com'],
  },
  {
    name: 'Owners is not touched when no mapping names it',
    given: input(
      desired({ 'a@corp.com': ['Eng'] }),
      actual({ Eng: ['a@corp.com'] }, { owners: ['admin@corp.com', 'a@corp.com'] }),
    ),
    ops: [],
  },
  {
    name: 'Owners is managed when the mapping names it',
    given: input(
      desired({ 'a@corp.com': ['Owners'], 'admin@corp.com': ['Owners'] }),
      actual({}, { owners: ['admin@corp.com'], lonely: ['a@corp.com'] }),
    ),
    ops: ['addMember a@corp.com -> Owners'],
  },
  {
    name: 'the last owner is never removed from Owners',
    given: input(
      desired({ 'admin@corp.com': ['Eng'] }, ['Owners']),
      actual({ Eng: [] }, { owners: ['admin@corp.com'] }),
    ),
    ops: ['addMember admin@corp.com -> Eng'],
    warning: /last member of the Owners team/,
  },
  {
    name: 'an owner is not deleted unless deleteOwners is on',
    given: input(
      desired({ 'a@corp.com': ['Eng'] }),
      actual({ Eng: ['a@corp.com', 'boss@corp.com'] }, { owners: ['admin@corp.com', 'boss@corp.com'] }),
      {
        policy: { deprovision: 'delete-user' },
      },
    ),
    ops: ['removeMember boss@corp.com <- Eng'],
    warning: /is an owner: not deleted/,
  },
  {
    name: 'with deleteOwners an owner leaver is deleted while another owner remains',
    given: input(
      desired({ 'a@corp.com': ['Eng'] }),
      actual({ Eng: ['a@corp.com', 'boss@corp.com'] }, { owners: ['admin@corp.com', 'boss@corp.com'] }),
      {
        policy: { deprovision: 'delete-user', deleteOwners: true },
      },
    ),
    ops: ['deleteUser boss@corp.com'],
  },
  {
    name: '"Added from Dashboard" is never managed, even when mapped',
    given: input(
      desired({ 'a@corp.com': ['Added from Dashboard', 'Eng'] }),
      actual({ Eng: ['a@corp.com'] }, { addedFromDashboard: ['z@corp.com'] }),
    ),
    ops: [],
    warning: /cannot be managed through the API/,
  },
  {
    name: 'additive membership: only memberships the sync granted are removed',
    given: input(
      desired({ 'a@corp.com': ['Sales'] }, ['Eng', 'Data']),
      actual({ Eng: ['a@corp.com'], Data: ['a@corp.com'], Sales: [] }),
      {
        policy: { membership: 'additive' },
        links: links([], [], ['u-a@corp.com|t-Eng']),
      },
    ),
    ops: ['addMember a@corp.com -> Sales', 'removeMember a@corp.com <- Eng'],
  },
  {
    name: 'authoritative membership: hand-made memberships of managed teams are removed',
    given: input(
      desired({ 'a@corp.com': ['Sales'] }, ['Eng', 'Data']),
      actual({ Eng: ['a@corp.com'], Data: ['a@corp.com'], Sales: [] }),
    ),
    ops: ['addMember a@corp.com -> Sales', 'removeMember a@corp.com <- Data', 'removeMember a@corp.com <- Eng'],
  },
  {
    name: 'a renamed group renames its linked team',
    given: input(desired({ 'a@corp.com': ['Platform'] }), actual({ Infra: ['a@corp.com'] }), {
      links: links([], [['name:Platform', 't-Infra']]),
    }),
    ops: ['renameTeam Infra -> Platform'],
  },
  {
    name: 'prune deletes teams the sync created that are no longer mapped',
    given: input(desired({ 'a@corp.com': ['Eng'] }), actual({ Eng: ['a@corp.com'], Old: ['a@corp.com'] }), {
      policy: { prune: true },
      links: links(
        [],
        [
          ['name:Old', 't-Old'],
          ['name:Eng', 't-Eng'],
        ],
      ),
    }),
    ops: ['deleteTeam Old'],
  },
  {
    name: 'without prune, a linked team no longer mapped stays managed and is emptied',
    given: input(desired({ 'a@corp.com': ['Eng'] }), actual({ Eng: ['a@corp.com'], Old: ['a@corp.com'] }), {
      links: links([], [['name:Old', 't-Old']]),
    }),
    ops: ['removeMember a@corp.com <- Old'],
    warning: /the mapping of "Old" is gone: team "Old" emptied/,
  },
  {
    name: 'teams never linked nor mapped are left alone',
    given: input(desired({ 'a@corp.com': ['Eng'] }), actual({ Eng: ['a@corp.com'], Old: ['a@corp.com'] })),
    ops: [],
  },
  {
    name: 'protected users and teams are never touched',
    given: input(
      desired({ 'a@corp.com': ['Eng', 'Secret'], 'vip@corp.com': ['Sales'] }, []),
      actual({ Eng: ['a@corp.com', 'vip@corp.com'], Sales: [] }),
      {
        policy: { protectedUsers: ['VIP@corp.com'], protectedTeams: ['secret'] },
      },
    ),
    ops: [],
    warning: /team "Secret" is protected/,
  },
  {
    name: 'user cap: a plan crossing it is blocked before any call',
    given: input(desired({ 'a@corp.com': ['Eng'], 'b@corp.com': ['Eng'] }), actual({ Eng: [] }), {
      capabilities: { ...CHARTIO_CAPABILITIES, maxUsers: 2 },
    }),
    ops: ['createUser a@corp.com on Eng', 'createUser b@corp.com on Eng'],
    blocked: 'USER_CAP',
  },
  {
    name: 'team cap: a plan crossing it is blocked',
    given: input(desired({ 'a@corp.com': ['A', 'B'] }), actual({}), {
      capabilities: { ...CHARTIO_CAPABILITIES, maxUsers: 100, maxTeams: 2 },
    }),
    ops: ['createTeam A', 'createTeam B', 'createUser a@corp.com on A', 'addMember a@corp.com -> B'],
    blocked: 'TEAM_CAP',
  },
  {
    name: 'deletion guard: more deletions than maxDeletes blocks the run',
    given: input(desired({ 'a@corp.com': ['Eng'] }), actual({ Eng: ['a@corp.com', 'x@corp.com', 'y@corp.com'] }), {
      policy: { deprovision: 'delete-user', maxDeletes: 1 },
    }),
    ops: ['deleteUser x@corp.com', 'deleteUser y@corp.com'],
    blocked: 'TOO_MANY_DELETES',
  },
  {
    name: 'deletion guard: over maxDeletePercent blocks the run',
    given: input(
      desired({ 'a@corp.com': ['Eng'], 'b@corp.com': ['Eng'], 'c@corp.com': ['Eng'] }),
      actual({ Eng: ['a@corp.com', 'b@corp.com', 'c@corp.com', 'x@corp.com'] }),
      {
        policy: { deprovision: 'delete-user', maxDeletePercent: 20 },
      },
    ),
    ops: ['deleteUser x@corp.com'],
    blocked: 'TOO_MANY_DELETES',
  },
  {
    name: '--allow-deletes N lets that many deletions through',
    given: input(desired({ 'a@corp.com': ['Eng'] }), actual({ Eng: ['a@corp.com', 'x@corp.com', 'y@corp.com'] }), {
      policy: { deprovision: 'delete-user', maxDeletes: 1 },
      allowDeletes: 2,
    }),
    ops: ['deleteUser x@corp.com', 'deleteUser y@corp.com'],
  },
  {
    name: 'an empty directory never deletes anyone: blocked',
    given: input(desired({}), actual({ Eng: ['a@corp.com', 'b@corp.com'] }, { owners: ['admin@corp.com'] }), {
      links: links([['s-a', 'u-a@corp.com']]),
      policy: { deprovision: 'delete-user' },
    }),
    ops: ['deleteUser a@corp.com'],
    blocked: 'EMPTY_SOURCE',
  },
  {
    name: 'a directory much smaller than the last good read never deletes: blocked',
    given: input(desired({ 'a@corp.com': ['Eng'] }), actual({ Eng: ['a@corp.com', 'b@corp.com', 'c@corp.com'] }), {
      lastSourceSize: 3,
      policy: { deprovision: 'delete-user' },
    }),
    ops: ['deleteUser b@corp.com', 'deleteUser c@corp.com'],
    blocked: 'SOURCE_SHRANK',
  },
  {
    name: 'one joined source much smaller than its last good read blocks deletions, naming it',
    given: input(
      desired({ 'a@corp.com': ['Eng'], 'b@corp.com': ['Eng'] }),
      actual({ Eng: ['a@corp.com', 'b@corp.com', 'c@corp.com'] }),
      {
        shrunkSource: { name: 'ad', people: 40, last: 900 },
        policy: { deprovision: 'delete-user', maxDeletes: 100, maxDeletePercent: 100 },
      },
    ),
    ops: ['deleteUser c@corp.com'],
    blocked: 'SOURCE_SHRANK',
  },
];

describe('makePlan rules', () => {
  it.each(cases)('$name', ({ given, ops, blocked, warning }) => {
    const { plan } = makePlan(given);
    expect(plan.phases.flat().map(line)).toEqual(ops);
    expect(plan.blocked?.code).toBe(blocked);
    if (warning) expect(plan.warnings.join('\n')).toMatch(warning);
    if (given.shrunkSource)
      expect(plan.blocked?.reason).toBe(
        'source ad gave 40 people, under 50% of its last good read (900): refusing 1 deletions',
      );
  });
});

describe('makePlan structure', () => {
  const given = input(
    desired({ 'a@corp.com': ['Eng', 'Data'], 'b@corp.com': ['Eng'] }),
    actual({ Eng: ['old@corp.com'], Misc: ['old@corp.com'] }),
  );

  it('orders ops in phases: teams, users, adds, removals, deletions', () => {
    const { plan } = makePlan(given);
    expect(plan.phases.map((p) => p.map((o) => o.kind)[0] ?? '-')).toEqual([
      'createTeam',
      'createUser',
      'addMember',
      'removeMember',
      '-',
      '-',
    ]);
  });

  it('makes dependants name what they wait for', () => {
    const { plan } = makePlan(given);
    const ops = plan.phases.flat();
    const createData = ops.find((o) => o.kind === 'createTeam')!;
    const createA = ops.find((o) => o.kind === 'createUser' && o.user.email === 'a@corp.com')!;
    const addA = ops.find((o) => o.kind === 'addMember' && o.user.email === 'a@corp.com')!;
    expect(createA.kind === 'createUser' && createA.team!.name).toBe('Eng');
    expect(addA.dependsOn).toEqual([createA.key, createData.key]);
  });

  it('gives the same id to the same ops, and a different id to different ops', () => {
    expect(makePlan(given).plan.id).toBe(makePlan({ ...given, now: given.now + 1000 }).plan.id);
    const other = input(desired({ 'a@corp.com': ['Eng'] }), actual({}));
    expect(makePlan(other).plan.id).not.toBe(makePlan(given).plan.id);
    expect(makePlan(given).plan.id).toMatch(/^p[0-9a-f]{15}$/);
  });

  it('counts ops by kind and estimates calls and time at the budget', () => {
    const { plan } = makePlan({ ...given, ratePerSecond: 2, readCalls: 3 });
    expect(plan.counts).toMatchObject({ createTeam: 1, createUser: 2, addMember: 1, removeMember: 1 });
    expect(plan.estimate).toEqual({ writes: 5, reads: 3, ratePerSecond: 2, etaSeconds: 3 });
  });

  it('reports what the store should remember: email-matched links and first-seen absences', () => {
    const { observations } = makePlan(
      input(desired({ 'a@corp.com': ['Eng'] }), actual({ Eng: ['a@corp.com', 'gone@corp.com'] }), {
        tombstones: new Map([['u-a@corp.com', 1]]),
      }),
    );
    expect(observations.userLinks).toEqual([['s-a@corp.com', 'u-a@corp.com']]);
    expect(observations.teamLinks).toEqual([['name:Eng', 't-Eng']]);
    expect(observations.newlyAbsent).toEqual(['u-gone@corp.com']);
    expect(observations.reappeared).toEqual(['u-a@corp.com']);
  });

  it('a removal from Owners waits for every add to Owners, so it never drops to zero', () => {
    const { plan } = makePlan(
      input(
        desired({ 'new@corp.com': ['Owners'], 'a@corp.com': ['Eng'] }),
        actual({ Eng: [] }, { owners: ['a@corp.com', 'b@corp.com'], lonely: ['new@corp.com'] }),
      ),
    );
    const ops = plan.phases.flat();
    const add = ops.find((o) => o.kind === 'addMember' && o.user.email === 'new@corp.com')!;
    const remove = ops.find((o) => o.kind === 'removeMember' && o.user.email === 'a@corp.com')!;
    expect(remove.dependsOn).toContain(add.key);
  });

  it('a new team taking the old name of a renamed team waits for the rename', () => {
    const { plan } = makePlan(
      input(desired({ 'a@corp.com': ['Platform', 'Infra'] }), actual({ Infra: ['a@corp.com'] }), {
        links: links([], [['name:Platform', 't-Infra']]),
      }),
    );
    const ops = plan.phases.flat();
    const rename = ops.find((o) => o.kind === 'renameTeam')!;
    const create = ops.find((o) => o.kind === 'createTeam')!;
    expect(create.kind === 'createTeam' && create.team.name).toBe('Infra');
    expect(create.dependsOn).toEqual([rename.key]);
  });

  it('makes op keys safe for queue job ids', () => {
    const { plan } = makePlan(input(desired({ 'a:b@corp.com': ['Team: One'] }), actual({})));
    for (const op of plan.phases.flat()) expect(op.key).not.toMatch(/:/);
  });
});

describe('assertAcyclic', () => {
  const user = { sourceId: 's1', email: 'a@corp.com' };
  const team = { name: 'Eng' };
  const create = { kind: 'createUser', key: 'user-create.s1', user, displayName: 'A', reason: '', dependsOn: [] };
  const join = (key: string, dependsOn: string[]) => ({ kind: 'addMember', key, user, team, reason: '', dependsOn });

  it('accepts dependencies on earlier phases and on earlier ops of the same phase', () => {
    expect(() =>
      assertAcyclic([create, join('add.s1.org', ['user-create.s1']), join('add.s1.t', ['add.s1.org'])] as Op[]),
    ).not.toThrow();
  });

  it('refuses two ops of one phase that wait for each other', () => {
    expect(() => assertAcyclic([join('add.s1.a', ['add.s1.b']), join('add.s1.b', ['add.s1.a'])] as Op[])).toThrow(
      /planner bug: ops wait for each other/,
    );
  });

  it('refuses a cycle through an earlier phase (a create waiting for a join that waits for it)', () => {
    expect(() =>
      assertAcyclic([{ ...create, dependsOn: ['add.s1.t'] }, join('add.s1.t', ['user-create.s1'])] as Op[]),
    ).toThrow(/planner bug/);
  });
});
