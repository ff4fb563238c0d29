import { describe, expect, it } from 'vitest';
import { policySchema, type PolicyConfig } from '../../../src/config/schema.js';
import type { Actual, DesiredPerson, TargetCapabilities, TargetUser } from '../../../src/model/index.js';
import { makePlan } from '../../../src/plan/make-plan.js';
import type { PlanInput } from '../../../src/plan/plan-input.js';
import { describeOp } from '../../../src/plan/render.js';
import { CHARTIO_CAPABILITIES } from '../../../src/targets/chartio/index.js';
import { line } from './builders.js';

/** A roles-only target that can disable users: no containers, one target-wide role per user. */
const ROLES_ONLY: TargetCapabilities = {
  maxUsers: 1000,
  maxTeams: 0,
  userCreation: 'invite',
  userNeedsOneTeam: false,
  containers: { types: [], creatable: [], renamable: false, deletable: false },
  membership: 'per-call',
  roles: {
    names: ['viewer', 'editor', 'admin'],
    many: false,
    scope: 'target',
    default: 'viewer',
    caseInsensitive: true,
  },
  caseInsensitiveNames: true,
  userStatus: true,
};

const person = (email: string, role = 'viewer'): DesiredPerson => ({
  sourceId: `s-${email}`,
  email,
  displayName: email,
  teams: [],
  roles: { '': [{ role, reason: `rule gives ${role}` }] },
});
const user = (
  email: string,
  role: string,
  status: TargetUser['status'] = 'active',
  extra: Partial<TargetUser> = {},
): TargetUser => ({
  id: `u-${email}`,
  email,
  displayName: email,
  teamIds: [],
  roles: { '': [role] },
  status,
  ...extra,
});

function plan(
  people: DesiredPerson[],
  users: TargetUser[],
  o: { policy?: Partial<PolicyConfig>; caps?: TargetCapabilities; linked?: string[] } = {},
) {
  const actual: Actual = { users, teams: [] };
  const input: PlanInput = {
    desired: { teams: [], people, warnings: [] },
    actual,
    // Everyone the sync has seen before is linked (the departed included).
    links: {
      users: new Map((o.linked ?? users.map((u) => u.email)).map((e) => [`s-${e}`, `u-${e}`])),
      teams: new Map(),
      granted: new Set(),
    },
    capabilities: o.caps ?? ROLES_ONLY,
    tombstones: new Map(),
    now: 0,
    readCalls: 1,
    ratePerSecond: 10,
    policy: { ...policySchema.parse({ maxDeletes: 100, maxDeletePercent: 100 }), ...o.policy },
  };
  return makePlan(input).plan;
}
const lines = (p: ReturnType<typeof plan>) => p.phases.flat().map(line);

describe('user status on a roles-only target', () => {
  it('invites a new person with the role the rules give', () => {
    expect(lines(plan([person('a@x.io', 'editor')], []))).toEqual(['createUser a@x.io on undefined as editor']);
  });

  it('a pending (invited) user counts as provisioned: never invited again, only the role follows the rules', () => {
    const p = plan([person('a@x.io', 'admin')], [user('a@x.io', 'viewer', 'pending')], { linked: [] });
    expect(lines(p)).toEqual(['setRole a@x.io viewer -> admin']);
  });

  it('disables a departed user with deprovision: disable-user', () => {
    const p = plan([person('a@x.io')], [user('a@x.io', 'viewer'), user('gone@x.io', 'editor')], {
      policy: { deprovision: 'disable-user' },
    });
    expect(lines(p)).toEqual(['disableUser gone@x.io']);
    expect(p.stats.deletions).toBe(1);
  });

  it('remove-from-managed-teams (the default) disables on a target without containers', () => {
    const p = plan([person('a@x.io')], [user('a@x.io', 'viewer'), user('gone@x.io', 'editor')]);
    expect(lines(p)).toEqual(['disableUser gone@x.io']);
  });

  it('an account already disabled is left alone', () => {
    const p = plan([person('a@x.io')], [user('a@x.io', 'viewer'), user('gone@x.io', 'editor', 'disabled')]);
    expect(lines(p)).toEqual([]);
  });

  it('delete-user deletes instead', () => {
    const p = plan([person('a@x.io')], [user('a@x.io', 'viewer'), user('gone@x.io', 'editor', 'disabled')], {
      policy: { deprovision: 'delete-user' },
    });
    expect(lines(p)).toEqual(['deleteUser gone@x.io']);
  });

  it('deprovision: none leaves the departed enabled', () => {
    const p = plan([person('a@x.io')], [user('a@x.io', 'viewer'), user('gone@x.io', 'editor')], {
      policy: { deprovision: 'none' },
    });
    expect(lines(p)).toEqual([]);
  });

  it('a returning person is enabled, not invited again', () => {
    const p = plan([person('back@x.io', 'viewer')], [user('back@x.io', 'viewer', 'disabled')]);
    expect(lines(p)).toEqual(['enableUser back@x.io']);
  });

  it('a returning person whose role changed meanwhile gets it in the same call', () => {
    const p = plan([person('back@x.io', 'admin')], [user('back@x.io', 'viewer', 'disabled')]);
    expect(lines(p)).toEqual(['enableUser back@x.io as admin']);
    expect(p.estimate.writes).toBe(1);
  });

  it("never demotes, disables or deletes an untouchable user (the API key's own)", () => {
    const owner = user('key@x.io', 'admin', 'active', { untouchable: "the API key's own user" });
    expect(lines(plan([person('key@x.io', 'viewer')], [owner]))).toEqual([]);
    expect(
      lines(plan([person('a@x.io')], [owner, user('a@x.io', 'viewer')], { policy: { deprovision: 'delete-user' } })),
    ).toEqual([]);
  });

  it('disables count as deletions for the guard', () => {
    const users = ['a', 'b', 'c', 'd'].map((n) => user(`${n}@x.io`, 'viewer'));
    const p = plan([person('a@x.io')], users, {
      policy: { deprovision: 'disable-user', maxDeletes: 2, maxDeletePercent: 100 },
    });
    expect(p.blocked?.code).toBe('TOO_MANY_DELETES');
    expect(p.counts.disableUser).toBe(3);
  });

  it('disable-user on a target that cannot disable removes from managed teams and says so', () => {
    const u: TargetUser = { id: 'u-gone@x.io', email: 'gone@x.io', displayName: 'gone', teamIds: ['t-a', 't-b'] };
    const p = makePlan({
      desired: {
        teams: [{ name: 'a', key: 'name:a' }],
        people: [{ sourceId: 's-k@x.io', email: 'k@x.io', displayName: 'k', teams: ['a'] }],
        warnings: [],
      },
      actual: {
        users: [u, { id: 'u-k@x.io', email: 'k@x.io', displayName: 'k', teamIds: ['t-a'] }],
        teams: [
          { id: 't-a', name: 'a', memberIds: ['u-gone@x.io', 'u-k@x.io'] },
          { id: 't-b', name: 'b', memberIds: ['u-gone@x.io'] },
        ],
      },
      links: { users: new Map([['s-gone@x.io', 'u-gone@x.io']]), teams: new Map(), granted: new Set() },
      capabilities: CHARTIO_CAPABILITIES,
      tombstones: new Map(),
      now: 0,
      readCalls: 1,
      ratePerSecond: 1,
      policy: { ...policySchema.parse({ maxDeletes: 100, maxDeletePercent: 100 }), deprovision: 'disable-user' },
    }).plan;
    expect(lines(p)).toEqual(['removeMember gone@x.io <- a']);
    expect(p.warnings.join('\n')).toMatch(/cannot disable users: removed from managed teams instead/);
  });

  it('describes the new ops for a reviewer', () => {
    const ref = { id: 'u1', email: 'a@x.io' };
    expect(describeOp({ kind: 'enableUser', key: 'k', reason: '', dependsOn: [], user: ref, role: 'editor' })).toBe(
      'enable user a@x.io as editor',
    );
    expect(describeOp({ kind: 'disableUser', key: 'k', reason: '', dependsOn: [], user: ref })).toBe(
      'disable user a@x.io',
    );
  });
});
