import { describe, expect, it } from 'vitest';
import { policySchema, type PolicyConfig } from '../../../src/config/schema.js';
import type {
  Actual,
  Desired,
  DesiredPerson,
  DesiredTeam,
  Op,
  TargetCapabilities,
  TargetTeam,
  TargetUser,
} from '../../../src/model/index.js';
import { makePlan } from '../../../src/plan/make-plan.js';
import type { PlanInput } from '../../../src/plan/plan-input.js';
import { GRAFANA_CAPABILITIES } from '../../../src/targets/grafana/index.js';
import { grantLine } from './builders.js';

/** Org-mode fixtures: org "Main" (id o1) and "Sales" (id o2), teams inside them, users with a role per org. */
interface UserSpec {
  email: string;
  orgs?: Record<string, string>;
  teams?: string[];
  serverAdmin?: boolean;
}

function actual(
  users: UserSpec[],
  teams: Record<string, { org: string; admins?: string[] }> = {},
  allUsersListed = true,
): Actual {
  const orgs: TargetTeam[] = [
    { id: 'o1', name: 'Main', type: 'org', memberIds: [] },
    { id: 'o2', name: 'Sales', type: 'org', memberIds: [] },
  ];
  const orgId = (name: string) => orgs.find((o) => o.name === name)!.id;
  const ts: TargetTeam[] = Object.entries(teams).map(([label, t]) => ({
    id: `t-${label}`,
    name: label.split('/')[1]!,
    type: 'team',
    parentId: orgId(t.org),
    memberIds: [],
  }));
  const us: TargetUser[] = users.map((u) => {
    const rec: TargetUser = {
      id: `u-${u.email}`,
      email: u.email,
      displayName: u.email,
      teamIds: [],
      roles: {},
      ...(u.serverAdmin ? { untouchable: 'Grafana server admin' } : {}),
    };
    for (const [org, role] of Object.entries(u.orgs ?? {})) {
      rec.teamIds.push(orgId(org));
      rec.roles![orgId(org)] = [role];
      orgs.find((o) => o.name === org)!.memberIds.push(rec.id);
    }
    for (const label of u.teams ?? []) {
      rec.teamIds.push(`t-${label}`);
      ts.find((t) => t.id === `t-${label}`)!.memberIds.push(rec.id);
    }
    return rec;
  });
  for (const [label, t] of Object.entries(teams))
    if (t.admins) ts.find((x) => x.id === `t-${label}`)!.adminIds = t.admins.map((e) => `u-${e}`);
  return { users: us, teams: [...orgs, ...ts], allUsersListed };
}

/** people: email -> labels ("Main", "Main / Eng") and roles per org label. */
function desired(given: Record<string, { in: string[]; roles?: Record<string, string[]> }>): Desired {
  // The org's own Admin stays in the directory unless a case says otherwise.
  const people = { 'boss@corp.com': { in: ['Main'], roles: { Main: ['Admin'] } }, ...given };
  const containers = new Map<string, DesiredTeam>();
  for (const p of Object.values(people)) {
    for (const label of p.in) {
      const [org, team] = label.split(' / ');
      containers.set(org!, { name: org!, key: `org:${org}`, type: 'org', label: org! });
      if (team) containers.set(label, { name: team, key: `name:${label}`, parent: org!, label });
    }
  }
  const ps: DesiredPerson[] = Object.entries(people).map(([email, p]) => ({
    sourceId: `s-${email}`,
    email,
    displayName: email,
    teams: [...new Set(p.in.flatMap((l) => [l, l.split(' / ')[0]!]))].sort(),
    ...(p.roles
      ? {
          roles: Object.fromEntries(
            Object.entries(p.roles).map(([org, rs]) => [
              org,
              rs.map((role) => ({ role, reason: `member of ${role} group` })),
            ]),
          ),
        }
      : {}),
  }));
  return { teams: [...containers.values()], people: ps, warnings: [] };
}

function plan(
  d: Desired,
  a: Actual,
  opts: { policy?: Partial<PolicyConfig>; caps?: Partial<TargetCapabilities> } = {},
) {
  const input: PlanInput = {
    desired: d,
    actual: a,
    links: { users: new Map(), teams: new Map(), granted: new Set() },
    capabilities: { ...GRAFANA_CAPABILITIES, ...opts.caps },
    tombstones: new Map(),
    now: 0,
    readCalls: 1,
    ratePerSecond: 10,
    policy: { ...policySchema.parse({ maxDeletes: 100, maxDeletePercent: 100 }), ...opts.policy },
  };
  return makePlan(input).plan;
}

function line(op: Op): string {
  const where = (t: { name: string; parent?: { name: string } }) =>
    t.parent ? `${t.parent.name} / ${t.name}` : t.name;
  switch (op.kind) {
    case 'createTeam':
      return `createTeam ${where(op.team)}`;
    case 'renameTeam':
      return `renameTeam ${op.from} -> ${op.team.name}`;
    case 'createUser':
      return `createUser ${op.user.email} in ${op.team?.name} as ${op.role}`;
    case 'addMember':
      return `addMember ${op.user.email} -> ${where(op.team)}${op.role ? ` as ${op.role}` : ''}`;
    case 'removeMember':
      return `removeMember ${op.user.email} <- ${where(op.team)}`;
    case 'setMembers':
      return `setMembers ${where(op.team)} = ${op.members
        .map((m) => m.email)
        .sort()
        .join(',')}${op.admins ? ` admins ${op.admins.map((m) => m.email).join(',')}` : ''}`;
    case 'setRole':
      return `setRole ${op.user.email} in ${op.team?.name}: ${op.from.join(',')} -> ${op.to.join(',')}`;
    case 'setUser':
      return `setUser ${op.user.email}`;
    case 'deleteUser':
      return `deleteUser ${op.user.email}`;
    case 'enableUser':
      return `enableUser ${op.user.email}${op.role ? ` as ${op.role}` : ''}`;
    case 'disableUser':
      return `disableUser ${op.user.email}`;
    case 'deleteTeam':
      return `deleteTeam ${op.team.name}`;
    case 'setGrant':
    case 'removeGrant':
    case 'setGrants':
      return grantLine(op);
  }
}
const lines = (p: ReturnType<typeof plan>) => p.phases.flat().map(line);
const byKey = (p: ReturnType<typeof plan>) => new Map(p.phases.flat().map((o) => [o.key, o]));

const admin = { email: 'admin@corp.com', orgs: { Main: 'Admin' }, serverAdmin: true };
const boss = { email: 'boss@corp.com', orgs: { Main: 'Admin' } };

describe('planning for a target with orgs and one role per org', () => {
  it('an existing user joins the org with the role the rules give, then its teams; the team waits for the join', () => {
    const p = plan(
      desired({ 'ana@corp.com': { in: ['Main / Eng'], roles: { Main: ['Editor'] } } }),
      actual([admin, boss, { email: 'ana@corp.com' }], { 'Main/Eng': { org: 'Main' } }),
    );
    expect(lines(p)).toEqual(['addMember ana@corp.com -> Main as Editor', 'addMember ana@corp.com -> Main / Eng']);
    const [join, team] = p.phases.flat();
    expect(team!.dependsOn).toEqual([join!.key]);
  });

  it('the highest role by the target rank wins, and the plan says why', () => {
    const p = plan(
      desired({ 'ana@corp.com': { in: ['Main'], roles: { Main: ['Viewer', 'Admin', 'Editor'] } } }),
      actual([admin, boss, { email: 'ana@corp.com', orgs: { Main: 'Editor' } }]),
    );
    expect(lines(p)).toEqual(['setRole ana@corp.com in Main: Editor -> Admin']);
    expect(p.phases.flat()[0]!.reason).toBe('Editor -> Admin: member of Admin group (in "Main")');
  });

  it('roles: additive only raises; on-create never changes an existing member', () => {
    const d = desired({
      'ana@corp.com': { in: ['Main'], roles: { Main: ['Viewer'] } },
      'bo@corp.com': { in: ['Main'], roles: { Main: ['Admin'] } },
    });
    const a = actual([
      admin,
      boss,
      { email: 'ana@corp.com', orgs: { Main: 'Editor' } },
      { email: 'bo@corp.com', orgs: { Main: 'Viewer' } },
    ]);
    expect(lines(plan(d, a, { policy: { roles: 'additive' } }))).toEqual([
      'setRole bo@corp.com in Main: Viewer -> Admin',
    ]);
    expect(lines(plan(d, a, { policy: { roles: 'on-create' } }))).toEqual([]);
    expect(lines(plan(d, a))).toEqual([
      'setRole ana@corp.com in Main: Editor -> Viewer',
      'setRole bo@corp.com in Main: Viewer -> Admin',
    ]);
  });

  it("an org's last Admin is neither demoted nor removed; a demotion waits for the promotion that replaces it", () => {
    const alone = actual([{ ...admin, orgs: {} }, boss]);
    const demote = plan(desired({ 'boss@corp.com': { in: ['Main'], roles: { Main: ['Viewer'] } } }), alone);
    expect(lines(demote)).toEqual([]);
    expect(demote.warnings.join('\n')).toMatch(/boss@corp.com is the last Admin of org "Main": role kept/);

    const leave = plan(
      desired({ 'boss@corp.com': { in: [] }, 'x@corp.com': { in: ['Main'] } }),
      actual([{ ...admin, orgs: {} }, boss, { email: 'x@corp.com', orgs: { Main: 'Viewer' } }]),
    );
    expect(lines(leave)).toEqual([]);
    expect(leave.warnings.join('\n')).toMatch(/boss@corp.com is the last Admin of org "Main": not removed/);

    const handover = plan(
      desired({
        'boss@corp.com': { in: ['Main'], roles: { Main: ['Viewer'] } },
        'new@corp.com': { in: ['Main'], roles: { Main: ['Admin'] } },
      }),
      actual([{ ...admin, orgs: {} }, boss, { email: 'new@corp.com', orgs: { Main: 'Viewer' } }]),
    );
    expect(lines(handover)).toEqual([
      'setRole new@corp.com in Main: Viewer -> Admin',
      'setRole boss@corp.com in Main: Admin -> Viewer',
    ]);
    const ops = byKey(handover);
    const demotion = [...ops.values()].find((o) => o.kind === 'setRole' && o.user.email === 'boss@corp.com')!;
    const promotion = [...ops.values()].find((o) => o.kind === 'setRole' && o.user.email === 'new@corp.com')!;
    expect(demotion.dependsOn).toContain(promotion.key);
  });

  it('server admins are never touched, even when the directory says otherwise', () => {
    const p = plan(
      desired({ 'admin@corp.com': { in: ['Main / Eng'], roles: { Main: ['Viewer'] } } }),
      actual([admin, boss], { 'Main/Eng': { org: 'Main' } }),
    );
    expect(lines(p)).toEqual([]);
  });

  it('people without an account wait for their first sign-in: no call when every account is listed, an org join by email when not', () => {
    const d = desired({ 'new@corp.com': { in: ['Main / Eng'] } });
    const listed = plan(d, actual([admin, boss], { 'Main/Eng': { org: 'Main' } }));
    expect(lines(listed)).toEqual([]);
    expect(listed.stats.waiting).toBe(1);
    expect(listed.warnings.join('\n')).toMatch(
      /1 person\(s\) have no account yet and are added after their first sign-in \(new@corp.com\)/,
    );

    const unlisted = plan(d, actual([admin, boss], { 'Main/Eng': { org: 'Main' } }, false));
    expect(lines(unlisted)).toEqual([
      'addMember new@corp.com -> Main as Viewer',
      'addMember new@corp.com -> Main / Eng',
    ]);
  });

  it('with user creation, a new user is created in an org with its role and added to the teams after', () => {
    const p = plan(
      desired({ 'new@corp.com': { in: ['Main / Eng', 'Sales / Eng'], roles: { Main: ['Editor'] } } }),
      actual([admin, boss]),
      { caps: { userCreation: 'with-container' } },
    );
    expect(lines(p)).toEqual([
      'createTeam Main / Eng',
      'createTeam Sales / Eng',
      'createUser new@corp.com in Main as Editor',
      'addMember new@corp.com -> Sales as Viewer',
      'addMember new@corp.com -> Main / Eng',
      'addMember new@corp.com -> Sales / Eng',
    ]);
  });

  it('two orgs each keep a team of the same name apart', () => {
    const p = plan(
      desired({ 'a@corp.com': { in: ['Main / Eng'] }, 'b@corp.com': { in: ['Sales / Eng'] } }),
      actual(
        [
          admin,
          boss,
          { email: 'a@corp.com', orgs: { Main: 'Viewer' } },
          { email: 'b@corp.com', orgs: { Sales: 'Viewer' } },
        ],
        { 'Main/Eng': { org: 'Main' } },
      ),
    );
    expect(lines(p)).toEqual([
      'createTeam Sales / Eng',
      'addMember a@corp.com -> Main / Eng',
      'addMember b@corp.com -> Sales / Eng',
    ]);
  });

  it('whole-team writes: one setMembers per changed team with the complete list, team admins kept', () => {
    const a = actual(
      [
        admin,
        boss,
        { email: 'a@corp.com', orgs: { Main: 'Viewer' }, teams: ['Main/Eng'] },
        { email: 'b@corp.com', orgs: { Main: 'Viewer' }, teams: ['Main/Eng'] },
        { email: 'c@corp.com', orgs: { Main: 'Viewer' } },
      ],
      { 'Main/Eng': { org: 'Main', admins: ['a@corp.com'] } },
    );
    const d = desired({
      'a@corp.com': { in: ['Main / Eng'] },
      'b@corp.com': { in: ['Main'] },
      'c@corp.com': { in: ['Main / Eng'] },
    });
    const p = plan(d, a, { caps: { membership: 'whole-container' } });
    expect(lines(p)).toEqual(['setMembers Main / Eng = a@corp.com,c@corp.com admins a@corp.com']);
    expect(p.counts.setMembers).toBe(1);
  });

  it('whole-team writes: two teams trading members never wait for each other', () => {
    const a = actual(
      [
        admin,
        boss,
        { email: 'a@corp.com', orgs: { Main: 'Viewer' }, teams: ['Main/A'] },
        { email: 'b@corp.com', orgs: { Main: 'Viewer' }, teams: ['Main/B'] },
      ],
      { 'Main/A': { org: 'Main' }, 'Main/B': { org: 'Main' } },
    );
    const p = plan(desired({ 'a@corp.com': { in: ['Main / B'] }, 'b@corp.com': { in: ['Main / A'] } }), a, {
      caps: { membership: 'whole-container' },
    });
    expect(lines(p).sort()).toEqual(['setMembers Main / A = b@corp.com', 'setMembers Main / B = a@corp.com']);
    expect(p.phases.flat().flatMap((o) => o.dependsOn)).toEqual([]);
  });

  it('whole-team writes never list a user the same plan deletes or takes out of the org', () => {
    const a = actual(
      [
        admin,
        boss,
        { email: 'a@corp.com', orgs: { Main: 'Viewer' }, teams: ['Main/Eng'] },
        { email: 'gone@corp.com', orgs: { Main: 'Viewer' }, teams: ['Main/Eng'] },
        { email: 'left@corp.com', orgs: { Main: 'Viewer' }, teams: ['Main/Eng'] },
        { email: 'c@corp.com', orgs: { Main: 'Viewer' } },
      ],
      { 'Main/Eng': { org: 'Main' } },
    );
    const d = desired({ 'a@corp.com': { in: ['Main / Eng'] }, 'c@corp.com': { in: ['Main / Eng'] } });
    // gone@ is deleted (delete-user); left@ leaves the org (remove-from-managed-teams, the default).
    const deleting = plan({ ...d, people: d.people }, a, {
      caps: { membership: 'whole-container' },
      policy: { deprovision: 'delete-user' },
    });
    expect(lines(deleting).filter((l) => l.startsWith('setMembers'))).toEqual([
      'setMembers Main / Eng = a@corp.com,c@corp.com',
    ]);
    const leaving = plan(d, a, { caps: { membership: 'whole-container' } });
    expect(lines(leaving).sort()).toEqual([
      'removeMember gone@corp.com <- Main',
      'removeMember left@corp.com <- Main',
      'setMembers Main / Eng = a@corp.com,c@corp.com',
    ]);
    const set = leaving.phases.flat().find((o) => o.kind === 'setMembers')!;
    expect(set.kind === 'setMembers' && set.removed).toBe(2);
  });

  it("whole-team writes wait for a new member's account softly: the team's other changes never hang on it", () => {
    const a = actual([admin, boss, { email: 'a@corp.com', orgs: { Main: 'Viewer' }, teams: ['Main/Eng'] }], {
      'Main/Eng': { org: 'Main' },
    });
    const d = desired({ 'a@corp.com': { in: ['Main / Eng'] }, 'new@corp.com': { in: ['Main / Eng'] } });
    const p = plan(d, a, { caps: { membership: 'whole-container', userCreation: 'with-container' } });
    const set = p.phases.flat().find((o) => o.kind === 'setMembers');
    expect(set?.kind).toBe('setMembers');
    if (set?.kind !== 'setMembers') return;
    const create = p.phases.flat().find((o) => o.kind === 'createUser')!;
    // The account is awaited per member (left out if it fails), not as a dependency of the whole write.
    expect(set.dependsOn).toEqual([]);
    expect(set.members).toEqual([
      { id: 'u-a@corp.com', email: 'a@corp.com' },
      { email: 'new@corp.com', sourceId: 's-new@corp.com', after: [create.key] },
    ]);
  });

  it('a leaver is removed from the org, which takes them out of its teams without a call each', () => {
    const a = actual([admin, boss, { email: 'gone@corp.com', orgs: { Main: 'Viewer' }, teams: ['Main/Eng'] }], {
      'Main/Eng': { org: 'Main' },
    });
    const p = plan(desired({}), a);
    expect(lines(p)).toEqual(['removeMember gone@corp.com <- Main']);
  });

  it('an org the target does not have is reported and its people skipped', () => {
    const d = desired({ 'a@corp.com': { in: ['Nowhere / Eng'] } });
    const p = plan(d, actual([admin, boss, { email: 'a@corp.com' }]));
    expect(lines(p)).toEqual([]);
    expect(p.warnings.join('\n')).toMatch(/org "Nowhere" does not exist in the target/);
  });
});
