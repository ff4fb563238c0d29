import type { Actual, Desired, DesiredPerson, Op, OpOf, TargetTeam, TargetUser } from '../../../src/model/index.js';
import { policySchema, type PolicyConfig } from '../../../src/config/schema.js';
import type { PlanInput } from '../../../src/plan/plan-input.js';
import { CHARTIO_CAPABILITIES } from '../../../src/targets/chartio/index.js';

/** Small inline fixtures: team names and emails in, ids derived from them. */
export function desired(people: Record<string, string[]>, extraTeams: string[] = []): Desired {
  const teamNames = new Set([...Object.values(people).flat(), ...extraTeams]);
  const ps: DesiredPerson[] = Object.entries(people).map(([email, teams]) => ({
    sourceId: `s-${email}`,
    email,
    displayName: email.split('@')[0]!,
    teams: [...teams].sort(),
  }));
  return { teams: [...teamNames].sort().map((name) => ({ name, key: `name:${name}` })), people: ps, warnings: [] };
}

/** teams: name -> member emails. Users are derived from memberships (plus `lonely` users with no team). */
export function actual(
  teams: Record<string, string[]>,
  opts: { owners?: string[]; addedFromDashboard?: string[]; lonely?: string[] } = {},
): Actual {
  const all: Record<string, { members: string[]; keepsMember?: boolean; unmanaged?: string }> = {};
  all['Owners'] = { members: opts.owners ?? ['admin@corp.com'], keepsMember: true };
  if (opts.addedFromDashboard)
    all['Added from Dashboard'] = { members: opts.addedFromDashboard, unmanaged: 'dashboard sharing only' };
  for (const [name, members] of Object.entries(teams)) all[name] = { members };
  const users = new Map<string, TargetUser>();
  const userFor = (email: string) => {
    let u = users.get(email);
    if (!u) users.set(email, (u = { id: `u-${email}`, email, displayName: email, teamIds: [] }));
    return u;
  };
  const out: TargetTeam[] = Object.entries(all).map(([name, t]) => {
    const id = `t-${name}`;
    for (const m of t.members) userFor(m).teamIds.push(id);
    return {
      id,
      name,
      ...(t.keepsMember ? { keepsMember: true } : {}),
      ...(t.unmanaged ? { unmanaged: t.unmanaged } : {}),
      memberIds: t.members.map((m) => `u-${m}`),
    };
  });
  for (const e of opts.lonely ?? []) userFor(e);
  return { users: [...users.values()], teams: out };
}

export function input(
  d: Desired,
  a: Actual,
  over: Partial<Omit<PlanInput, 'policy'>> & { policy?: Partial<PolicyConfig> } = {},
): PlanInput {
  const { policy, ...rest } = over;
  return {
    desired: d,
    actual: a,
    links: { users: new Map(), teams: new Map(), granted: new Set() },
    capabilities: CHARTIO_CAPABILITIES,
    tombstones: new Map(),
    now: Date.parse('2026-01-01T00:00:00Z'),
    readCalls: 2,
    ratePerSecond: (5000 * 0.95) / 300,
    ...rest,
    policy: { ...policySchema.parse({ maxDeletes: 100, maxDeletePercent: 100 }), ...policy },
  };
}

/** One readable line per op, so each case states exactly the calls it expects. */
export function line(op: Op): string {
  switch (op.kind) {
    case 'createTeam':
      return `createTeam ${op.team.name}`;
    case 'renameTeam':
      return `renameTeam ${op.from} -> ${op.team.name}`;
    case 'createUser':
      return op.teams || op.roles
        ? `createUser ${op.user.email} ous=${
            op.teams
              ?.map((t) => t.name)
              .sort()
              .join(',') ?? '-'
          } roles=${op.roles?.join(',') ?? '-'}`
        : `createUser ${op.user.email} on ${op.team?.name}${op.role ? ` as ${op.role}` : ''}`;
    case 'addMember':
      return `addMember ${op.user.email} -> ${op.team.name}${op.role ? ` as ${op.role}` : ''}`;
    case 'removeMember':
      return `removeMember ${op.user.email} <- ${op.team.name}`;
    case 'setUser':
      return `setUser ${op.user.email} ous=${
        op.teams
          ?.map((t) => t.name)
          .sort()
          .join(',') ?? '-'
      } roles=${op.roles?.join(',') ?? '-'}${op.givenName !== undefined || op.familyName !== undefined ? ` name=${op.givenName ?? ''} ${op.familyName ?? ''}` : ''}${op.email !== undefined ? ` email=${op.email}` : ''}`;
    case 'deleteUser':
      return `deleteUser ${op.user.email}`;
    case 'deleteTeam':
      return `deleteTeam ${op.team.name}`;
    case 'setMembers':
      return `setMembers ${op.team.name} = ${op.members
        .map((m) => m.email)
        .sort()
        .join(',')}`;
    case 'setRole':
      return `setRole ${op.user.email}${op.team ? ` in ${op.team.name}` : ''} ${op.from.join(',')} -> ${op.to.join(',')}`;
    case 'enableUser':
      return `enableUser ${op.user.email}${op.role ? ` as ${op.role}` : ''}`;
    case 'disableUser':
      return `disableUser ${op.user.email}`;
    case 'setGrant':
    case 'removeGrant':
    case 'setGrants':
      return grantLine(op);
  }
}

/** A grant op in one line: `setGrant Sales dashboard:Pipeline=viewer (was admin)`. */
export function grantLine(op: OpOf<'setGrant' | 'removeGrant' | 'setGrants'>): string {
  switch (op.kind) {
    case 'setGrant':
      return `setGrant ${op.team.name} ${op.resource.type}:${op.resource.title}=${op.level}${op.from ? ` (was ${op.from})` : ''}`;
    case 'removeGrant':
      return `removeGrant ${op.team.name} ${op.resource.type}:${op.resource.title} (was ${op.level})`;
    case 'setGrants':
      return `setGrants ${op.resource.type}:${op.resource.title} ${op.teams.map((t) => `${t.team.name}=${t.level}`).join(',')} kept=${op.kept.length}`;
  }
}
