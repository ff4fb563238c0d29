import { describe, expect, it } from 'vitest';
import type {
  Actual,
  Desired,
  DesiredPerson,
  TargetCapabilities,
  TargetTeam,
  TargetUser,
} from '../../../src/model/index.js';
import { makePlan } from '../../../src/plan/make-plan.js';
import { describeOp } from '../../../src/plan/render.js';
import type { PlanInput } from '../../../src/plan/plan-input.js';
import { input, line } from './builders.js';

/** A whole-user target with a tree of units and many target-wide roles (as a tenant admin API has). */
const CAPS: TargetCapabilities = {
  maxUsers: 100_000,
  maxTeams: 100_000,
  userCreation: 'plain',
  userNeedsOneTeam: false,
  containers: { types: ['ou'], creatable: ['ou'], renamable: false, deletable: false },
  membership: 'whole-user',
  updatableNames: true,
  roles: {
    names: ['Admin', 'User', 'ReportViewer', 'EMEA Sales'],
    many: true,
    scope: 'target',
    default: 'User',
    keepOne: 'Admin',
    caseInsensitive: true,
    removable: true,
  },
  caseInsensitiveNames: false,
};

type P = { ous: string[]; roles?: string[]; given?: string; family?: string };
/** units: label -> parent label (or '' for top level). */
function want(people: Record<string, P>, units: Record<string, string>): Desired {
  const ps: DesiredPerson[] = Object.entries(people).map(([email, p]) => ({
    sourceId: `s-${email}`,
    email,
    displayName: email,
    givenName: p.given ?? 'First',
    familyName: p.family ?? 'Last',
    teams: [...p.ous].sort(),
    ...(p.roles ? { roles: { '': p.roles.map((role) => ({ role, reason: `rule ${role}` })) } } : {}),
  }));
  return {
    teams: Object.entries(units).map(([name, under]) => ({
      name,
      key: `group:${name}`,
      type: 'ou' as const,
      ...(under ? { under } : {}),
    })),
    people: ps,
    warnings: [],
  };
}
/** units: name -> parent name ('' top); users: email -> [units, roles]. */
function have(units: Record<string, string>, users: Record<string, [string[], string[]]>): Actual {
  const teams: TargetTeam[] = Object.entries(units).map(([name, parent]) => ({
    id: `ou-${name}`,
    name,
    type: 'ou',
    ...(parent ? { parentId: `ou-${parent}` } : {}),
    memberIds: [],
  }));
  const us: TargetUser[] = Object.entries(users).map(([email, [ous, roles]]) => ({
    id: `u-${email}`,
    email,
    displayName: email,
    givenName: 'First',
    familyName: 'Last',
    teamIds: ous.map((o) => `ou-${o}`),
    roles: { '': roles },
  }));
  for (const u of us) for (const t of u.teamIds) teams.find((x) => x.id === t)!.memberIds.push(u.id);
  return { users: us, teams };
}
const linked = (a: Actual) => ({
  users: new Map(a.users.map((u) => [`s-${u.email}`, u.id])),
  teams: new Map(a.teams.map((t) => [`group:${t.name}`, t.id])),
  granted: new Set<string>(),
});
const plan = (
  d: Desired,
  a: Actual,
  over: Partial<Omit<PlanInput, 'policy'>> & { policy?: Partial<PlanInput['policy']> } = {},
) => makePlan(input(d, a, { capabilities: CAPS, links: linked(a), ...over })).plan;
const lines = (p: ReturnType<typeof plan>) => p.phases.flat().map(line).sort();

const UNITS = { Sales: '', EMEA: 'Sales', Eng: '' };

interface Case {
  name: string;
  d: Desired;
  a: Actual;
  ops: string[];
  warning?: RegExp;
  over?: Parameters<typeof plan>[2];
}
const cases: Case[] = [
  {
    name: 'a mover who also gains a role: one setUser with the whole unit and role lists',
    d: want({ 'a@x.com': { ous: ['EMEA'], roles: ['User', 'EMEA Sales'] } }, UNITS),
    a: have(UNITS, { 'a@x.com': [['Eng'], ['User']] }),
    ops: ['setUser a@x.com ous=EMEA roles=EMEA Sales,User'],
  },
  {
    name: 'a name change alone: one setUser with the names only',
    d: want({ 'a@x.com': { ous: ['Eng'], roles: ['User'], given: 'Ada', family: 'Byron' } }, UNITS),
    a: have(UNITS, { 'a@x.com': [['Eng'], ['User']] }),
    ops: ['setUser a@x.com ous=- roles=- name=Ada Byron'],
  },
  {
    name: 'nothing changed: no op',
    d: want({ 'a@x.com': { ous: ['Eng', 'EMEA'], roles: ['user'] } }, UNITS),
    a: have(UNITS, { 'a@x.com': [['EMEA', 'Eng'], ['User']] }),
    ops: [],
  },
  {
    name: 'a hire in three units: one createUser carrying every unit and role',
    d: want({ 'n@x.com': { ous: ['EMEA', 'Eng', 'Sales'], roles: ['User', 'ReportViewer'] } }, UNITS),
    a: have(UNITS, {}),
    ops: ['createUser n@x.com ous=EMEA,Eng,Sales roles=ReportViewer,User'],
  },
  {
    name: 'a leaver (remove policy): units and roles stripped in one setUser',
    d: want({ 'a@x.com': { ous: ['Eng'], roles: ['Admin'] } }, UNITS),
    a: have(UNITS, {
      'a@x.com': [['Eng'], ['Admin']],
      'l@x.com': [
        ['Eng', 'EMEA'],
        ['User', 'EMEA Sales'],
      ],
    }),
    ops: ['setUser l@x.com ous= roles='],
  },
  {
    name: 'a leaver (delete policy): deleted',
    d: want({ 'a@x.com': { ous: ['Eng'], roles: ['Admin'] } }, UNITS),
    a: have(UNITS, { 'a@x.com': [['Eng'], ['Admin']], 'l@x.com': [['Eng'], ['User']] }),
    over: { policy: { deprovision: 'delete-user' } },
    ops: ['deleteUser l@x.com'],
  },
  {
    name: 'the last Admin leaves the directory: kept, with a warning',
    d: want({ 'a@x.com': { ous: ['Eng'], roles: ['User'] } }, UNITS),
    a: have(UNITS, { 'a@x.com': [['Eng'], ['User']], 'boss@x.com': [['Eng'], ['Admin']] }),
    over: { policy: { deprovision: 'delete-user' } },
    ops: [],
    warning: /boss@x.com is the last Admin/,
  },
  {
    name: 'a new unit under a new unit: parent created first, the user waits for both',
    d: want({ 'a@x.com': { ous: ['APAC', 'Japan'], roles: ['User'] } }, { APAC: '', Japan: 'APAC' }),
    a: have({}, { 'a@x.com': [[], ['User']] }),
    ops: ['createTeam APAC', 'createTeam Japan', 'setUser a@x.com ous=APAC,Japan roles=-'],
  },
  {
    name: 'a group whose unit is gone: the unit is emptied and reported, never deleted',
    d: want({ 'a@x.com': { ous: ['Eng'], roles: ['User'] } }, { Eng: '' }),
    a: have(UNITS, { 'a@x.com': [['Eng', 'EMEA'], ['User']] }),
    over: { policy: { prune: true } },
    ops: ['setUser a@x.com ous=Eng roles=-'],
    warning: /group "EMEA" is gone: team "EMEA" emptied/,
  },
  {
    name: 'additive membership: a unit granted by hand stays in the whole list',
    d: want({ 'a@x.com': { ous: ['EMEA'], roles: ['User'] } }, UNITS),
    a: have(UNITS, { 'a@x.com': [['Eng'], ['User']] }),
    over: { policy: { membership: 'additive' } },
    ops: ['setUser a@x.com ous=EMEA,Eng roles=-'],
  },
  {
    name: 'additive roles: a role is only ever added',
    d: want({ 'a@x.com': { ous: ['Eng'], roles: ['ReportViewer'] } }, UNITS),
    a: have(UNITS, { 'a@x.com': [['Eng'], ['User']] }),
    over: { policy: { roles: 'additive' } },
    ops: ['setUser a@x.com ous=- roles=User,ReportViewer'],
  },
];

describe('whole-user planning (one write per changed user)', () => {
  for (const c of cases) {
    it(c.name, () => {
      const p = plan(c.d, c.a, c.over);
      expect(lines(p)).toEqual([...c.ops].sort());
      if (c.warning) expect(p.warnings.join('\n')).toMatch(c.warning);
      const perUser = new Map<string, number>();
      for (const op of p.phases.flat())
        if ('user' in op) perUser.set(op.user.email, (perUser.get(op.user.email) ?? 0) + 1);
      expect([...perUser.values()].every((n) => n === 1)).toBe(true);
    });
  }

  it('the user write waits for the units it needs, and carries their keys to resolve new ids', () => {
    const p = plan(
      want({ 'a@x.com': { ous: ['APAC', 'Japan'] } }, { APAC: '', Japan: 'APAC' }),
      have({}, { 'a@x.com': [[], []] }),
    );
    const ops = p.phases.flat();
    const set = ops.find((o) => o.kind === 'setUser')!;
    const creates = ops.filter((o) => o.kind === 'createTeam');
    expect(set.dependsOn.sort()).toEqual(creates.map((o) => o.key).sort());
    const japan = creates.find((o) => o.kind === 'createTeam' && o.team.name === 'Japan')!;
    expect(japan.dependsOn).toEqual([creates.find((o) => o.kind === 'createTeam' && o.team.name === 'APAC')!.key]);
    expect(japan.kind === 'createTeam' && japan.team.under).toEqual({ key: 'group:APAC', name: 'APAC' });
  });

  it('a renamed group keeps its unit (no rename in the API) unless recreateRenamed is on', () => {
    const a = have({ Old: '' }, { 'a@x.com': [['Old'], ['User']] });
    const links = { ...linked(a), teams: new Map([['group:g1', 'ou-Old']]) };
    const d: Desired = {
      ...want({ 'a@x.com': { ous: ['New'], roles: ['User'] } }, {}),
      teams: [{ name: 'New', key: 'group:g1', type: 'ou' }],
    };
    const kept = plan(d, a, { links });
    expect(lines(kept)).toEqual([]);
    expect(kept.warnings.join('\n')).toMatch(/should be renamed to "New", but the target cannot rename/);

    const recreated = plan(d, a, {
      links,
      capabilities: { ...CAPS, containers: { ...CAPS.containers, recreateRenamed: true } },
    });
    expect(lines(recreated)).toEqual(['createTeam New', 'setUser a@x.com ous=New roles=-']);
    expect(recreated.warnings.join('\n')).toMatch(/renamed or moved to "New".*emptied/);
  });

  it('describes a setUser for the reviewer', () => {
    const p = plan(
      want({ 'a@x.com': { ous: ['EMEA'], roles: ['User', 'EMEA Sales'], given: 'Ada' } }, UNITS),
      have(UNITS, { 'a@x.com': [['Eng'], ['User']] }),
    );
    expect(describeOp(p.phases.flat()[0]!)).toBe(
      'set user a@x.com: units "Sales / EMEA" (+1 -1); roles User -> EMEA Sales, User; name "Ada Last"',
    );
  });
});
