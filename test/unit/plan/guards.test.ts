import { describe, expect, it } from 'vitest';
import { policySchema } from '../../../src/config/schema.js';
import { mapDirectory } from '../../../src/mapping/index.js';
import type { Actual, TargetUser } from '../../../src/model/index.js';
import { makePlan } from '../../../src/plan/make-plan.js';
import type { PlanInput } from '../../../src/plan/plan-input.js';
import { ADMINV3_CAPABILITIES } from '../../../src/targets/adminv3/index.js';
import { cfg, g, p, snap } from '../mapping/fixtures.js';
import { actual, desired, input } from './builders.js';

// The guards that hold a run for approval besides deletions: the highest role lost (a typo in a
// role rule demotes every admin) and teams emptied (a mistyped scope entry empties a team).

const admins = ['a1', 'a2', 'a3', 'a4', 'a5'].map((n) => `${n}@corp.com`);
const viewers = Array.from({ length: 45 }, (_, i) => `v${i}@corp.com`);
const directory = snap(
  [...admins.map((e) => p(e, ['BI Admins', 'Staff'])), ...viewers.map((e) => p(e, ['Staff']))],
  [g('BI Admins'), g('Staff')],
);
/** Everyone synced already: the five admins hold admin, the rest viewer. */
const synced: Actual = {
  users: [...admins, ...viewers].map((email): TargetUser => ({
    id: `u-${email}`,
    email,
    displayName: email,
    teamIds: [],
    roles: { '': [admins.includes(email) ? 'admin' : 'viewer'] },
    status: 'active',
  })),
  teams: [],
};

/** Everyone is a viewer through Staff; `roles` are the rules under test. */
function planRoles(roles: unknown[], over: Partial<PlanInput> = {}, people = directory) {
  const mapping = cfg({ roles: [{ group: 'Staff', role: 'viewer' }, ...roles] });
  const d = mapDirectory(people, mapping, { caseInsensitiveNames: true });
  return makePlan({
    desired: d,
    actual: synced,
    links: { users: new Map(), teams: new Map(), granted: new Set() },
    capabilities: ADMINV3_CAPABILITIES,
    tombstones: new Map(),
    now: 0,
    readCalls: 1,
    ratePerSecond: 10,
    policy: policySchema.parse({}),
    ...over,
  }).plan;
}

describe('a role rule naming a group the directory lacks', () => {
  it('is a plan warning naming the rule, and demoting the five admins blocks the plan', () => {
    const plan = planRoles([{ group: 'BI Admin', role: 'admin' }]);

    expect(plan.warnings).toContain(
      'mapping.roles[1]: group "BI Admin" is not in the directory: nobody gets admin from it (a typo in the name?)',
    );
    expect(plan.counts.setRole).toBe(5);
    expect(plan.blocked?.code).toBe('TOO_MANY_ROLE_LOSSES');
    expect(plan.blocked?.reason).toMatch(/^5 people would lose admin \(a1@corp\.com, .*--allow-role-losses 5$/);
  });

  it('a pattern matching no group warns too; the right name neither warns nor blocks', () => {
    expect(planRoles([{ match: '^bi-admins$', role: 'admin' }]).warnings).toEqual([
      'mapping.roles[1]: /^bi-admins$/ matches no group in the directory: nobody gets admin from it',
    ]);
    const right = planRoles([{ group: 'BI Admins', role: 'admin' }]);
    expect(right.warnings).toEqual([]);
    expect(right.blocked).toBeUndefined();
    expect(right.phases.flat()).toEqual([]);
  });

  it('up to policy.maxRoleLosses people may lose the role; --allow-role-losses lets more through', () => {
    // a1 and a2 leave BI Admins: two admins demoted, within maxRoleLosses.
    const two = snap(
      [
        ...admins.slice(2).map((e) => p(e, ['BI Admins', 'Staff'])),
        ...admins.slice(0, 2).map((e) => p(e, ['Staff'])),
        ...viewers.map((e) => p(e, ['Staff'])),
      ],
      [g('BI Admins'), g('Staff')],
    );
    expect(planRoles([{ group: 'BI Admins', role: 'admin' }]).blocked).toBeUndefined();
    const demoteTwo = planRoles([{ group: 'BI Admins', role: 'admin' }], {}, two);
    expect(demoteTwo.counts.setRole).toBe(2);
    expect(demoteTwo.blocked).toBeUndefined();
    expect(planRoles([{ group: 'BI Admin', role: 'admin' }], { allowRoleLosses: 5 }).blocked).toBeUndefined();
    expect(planRoles([{ group: 'BI Admin', role: 'admin' }], { allowRoleLosses: 4 }).blocked?.code).toBe(
      'TOO_MANY_ROLE_LOSSES',
    );
  });
});

describe('the highest role of a target whose users hold several', () => {
  it('is the role every scope must keep (keepOne); without one, unranked roles have no highest', () => {
    const many = { ...ADMINV3_CAPABILITIES, roles: { ...ADMINV3_CAPABILITIES.roles!, many: true } };
    expect(planRoles([{ group: 'BI Admin', role: 'admin' }], { capabilities: many }).blocked).toBeUndefined();
    const kept = { ...many, roles: { ...many.roles, keepOne: 'admin' } };
    const plan = planRoles([{ group: 'BI Admin', role: 'admin' }], { capabilities: kept });
    // One admin stays (the role every scope keeps), four lose it: over maxRoleLosses=2.
    expect(plan.blocked?.code).toBe('TOO_MANY_ROLE_LOSSES');
  });
});

describe('member removals', () => {
  const twelve = Array.from({ length: 12 }, (_, i) => `s${i}@corp.com`);
  const four = ['f0', 'f1', 'f2', 'f3'].map((n) => `${n}@corp.com`);
  const a = () => actual({ Support: twelve, Small: four, Eng: ['e@corp.com'] });
  /** Everyone stays in the directory (in Eng), so nobody is deprovisioned: only memberships go. */
  const stay = (keep: Record<string, string[]>) =>
    desired(Object.fromEntries([...twelve, ...four, 'e@corp.com'].map((e) => [e, ['Eng', ...(keep[e] ?? [])]])), [
      'Support',
      'Small',
    ]);

  it('a team losing more than half its members waits for approval, naming the team', () => {
    const plan = makePlan(input(stay({}), a(), { policy: { maxDeletes: 100 } })).plan;

    expect(plan.blocked?.code).toBe('TEAM_SHRINK');
    expect(plan.blocked?.reason).toMatch(/"Support" 12 of 12/);
    // Small (4 members) is under teamShrinkMinMembers: emptying it alone would pass.
    expect(plan.blocked?.reason).not.toMatch(/Small/);
  });

  it('half or less, or a small team, passes; --allow-removals lets the rest through', () => {
    const half = Object.fromEntries(twelve.slice(0, 6).map((e) => [e, ['Support']]));
    expect(makePlan(input(stay(half), a())).plan.blocked).toBeUndefined();
    const all = makePlan(input(stay({}), a(), { allowRemovals: 16 })).plan;
    expect(all.blocked).toBeUndefined();
    expect(all.counts.removeMember).toBe(16);
  });

  it('more removals than policy.maxRemovals in one run wait for approval', () => {
    const half = Object.fromEntries(twelve.slice(0, 6).map((e) => [e, ['Support']]));
    const plan = makePlan(input(stay(half), a(), { policy: { maxRemovals: 9 } })).plan;
    expect(plan.blocked?.code).toBe('TOO_MANY_REMOVALS');
    expect(plan.blocked?.reason).toMatch(/^10 memberships would be removed .*--allow-removals 10$/);
  });
});
