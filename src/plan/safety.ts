import type { Op, Plan } from '../model/index.js';
import type { PlanInput } from './plan-input.js';
import { grantRemovals } from './access-ops.js';

export type Verdict = Plan['blocked'];

/**
 * Refuse plans that would do damage: an empty or much smaller directory, deletions over the
 * threshold, or crossing the target's caps. Checked before any call is made. `deprovisioned`
 * counts users deprovisioned (removed, disabled or deleted) and managed teams emptied because their group is gone (a directory
 * read that lost groups must trip the same guards as one that lost people).
 */
export function checkSafety(input: PlanInput, ops: Op[], deprovisioned: number, usersInScope: number): Verdict {
  const { desired, policy, actual, capabilities } = input;
  const people = desired.people.length;
  const deletions = deprovisioned + ops.filter((o) => o.kind === 'deleteTeam').length;

  // An empty directory is a broken read or a broken filter far more often than an empty company.
  if (people === 0) {
    return {
      code: 'EMPTY_SOURCE',
      reason: `the directory yielded no people in scope (the target has ${usersInScope} managed users): refusing to sync from an empty directory`,
    };
  }
  if (
    input.lastSourceSize !== undefined &&
    input.lastSourceSize > 0 &&
    deletions > 0 &&
    people < input.lastSourceSize * policy.minSourceRatio
  ) {
    return {
      code: 'SOURCE_SHRANK',
      reason: `the directory has ${people} people in scope, under ${Math.round(policy.minSourceRatio * 100)}% of the last good read (${input.lastSourceSize}): refusing ${deletions} deletions`,
    };
  }
  const shrunk = input.shrunkSource;
  if (shrunk && deletions > 0) {
    return {
      code: 'SOURCE_SHRANK',
      reason: `source ${shrunk.name} gave ${shrunk.people} people, under ${Math.round(policy.minSourceRatio * 100)}% of its last good read (${shrunk.last}): refusing ${deletions} deletions`,
    };
  }
  const allowed = input.allowDeletes ?? -1;
  const percent = usersInScope > 0 ? (deletions * 100) / usersInScope : 0;
  if (deletions > allowed && (deletions > policy.maxDeletes || percent > policy.maxDeletePercent)) {
    return {
      code: 'TOO_MANY_DELETES',
      reason: `${deletions} deletions (${percent.toFixed(1)}% of ${usersInScope} managed users) exceed policy.maxDeletes=${policy.maxDeletes} / maxDeletePercent=${policy.maxDeletePercent}; review the plan and rerun with --allow-deletes ${deletions}`,
    };
  }

  const losing = roleLosses(input, ops, usersInScope);
  if (losing.verdict) return losing.verdict;
  const removing = membershipRemovals(input, ops);
  if (removing) return removing;
  const ungranted = grantRemovals(ops);
  if (ungranted > input.policy.maxGrantRemovals && ungranted > (input.allowGrantRemovals ?? -1))
    return {
      code: 'TOO_MANY_GRANT_REMOVALS',
      reason: `${ungranted} grants of managed teams would be removed, over policy.maxGrantRemovals=${input.policy.maxGrantRemovals}; review the plan (a mistyped access rule drops every grant it no longer matches), then approve the run or rerun with --allow-grant-removals ${ungranted}`,
    };

  const created = (kind: Op['kind']) => ops.filter((o) => o.kind === kind).length;
  const users = actual.users.length + created('createUser') - created('deleteUser');
  if (users > capabilities.maxUsers) {
    return {
      code: 'USER_CAP',
      reason: `the plan would leave ${users} users; the target allows ${capabilities.maxUsers}`,
    };
  }
  const teams = actual.teams.length + created('createTeam') - created('deleteTeam');
  if (teams > capabilities.maxTeams) {
    return {
      code: 'TEAM_CAP',
      reason: `the plan would leave ${teams} teams; the target allows ${capabilities.maxTeams}`,
    };
  }
  return undefined;
}

/**
 * Losing the target's highest role (an Admin demoted) is as dangerous as a deletion: a typo in a role
 * rule's group demotes every admin. Over policy.maxRoleLosses people, or maxRoleLossPercent of the
 * users in scope, the run waits for approval (or `--allow-role-losses N`).
 */
export function roleLosses(input: PlanInput, ops: Op[], usersInScope: number): { people: string[]; verdict?: Verdict } {
  // The role every scope must keep (an Admin) where the target names one; else, where a user holds
  // one role of a ranked list, the highest. Several unranked roles per user have no highest.
  const roles = input.capabilities.roles;
  const top = roles?.keepOne ?? (roles && !roles.many ? roles.names[roles.names.length - 1] : undefined);
  if (top === undefined) return { people: [] };
  const fold = (r: string) => (input.capabilities.roles?.caseInsensitive ? r.toLowerCase() : r);
  const holds = (roles: string[] | undefined) => (roles ?? []).some((r) => fold(r) === fold(top));
  const people = new Set<string>();
  for (const op of ops) {
    if (op.kind === 'setRole' && holds(op.from) && !holds(op.to)) people.add(op.user.email);
    if (op.kind === 'setUser' && op.roles !== undefined && holds(op.from) && !holds(op.roles))
      people.add(op.user.email);
  }
  const { policy } = input;
  const n = people.size;
  const percent = (n * 100) / Math.max(1, usersInScope);
  const allowed = input.allowRoleLosses ?? -1;
  if (n === 0 || n <= allowed || (n <= policy.maxRoleLosses && percent <= policy.maxRoleLossPercent))
    return { people: [...people] };
  const sample = [...people].slice(0, 5).join(', ') + (n > 5 ? ', …' : '');
  return {
    people: [...people],
    verdict: {
      code: 'TOO_MANY_ROLE_LOSSES',
      reason: `${n} people would lose ${top} (${sample}), over policy.maxRoleLosses=${policy.maxRoleLosses} / maxRoleLossPercent=${policy.maxRoleLossPercent}; check the role rules (a group named in mapping.roles that the directory lacks demotes its members), then approve the run or rerun with --allow-role-losses ${n}`,
    },
  };
}

/**
 * Emptying teams is as dangerous as deleting users (a mistyped scope entry empties a team): member
 * removals from managed teams count against policy.maxRemovals per run and, per team of at least
 * teamShrinkMinMembers, maxTeamShrinkPercent. People deleted or taken out of an org are counted as
 * deletions (on whole-team targets the team's list drops them too, and that write counts them here).
 */
export function membershipRemovals(input: PlanInput, ops: Op[]): Verdict {
  const { policy, actual } = input;
  const removed = new Map<string, number>();
  const bump = (teamId: string | undefined, n = 1) => {
    if (teamId !== undefined && n > 0) removed.set(teamId, (removed.get(teamId) ?? 0) + n);
  };
  for (const op of ops) {
    if (op.kind === 'removeMember' && op.team.type !== 'org') bump(op.team.id);
    else if (op.kind === 'setMembers') bump(op.team.id, op.removed);
    else if (op.kind === 'setUser') for (const id of op.left ?? []) bump(id);
  }
  const total = [...removed.values()].reduce((a, b) => a + b, 0);
  if (total === 0 || total <= (input.allowRemovals ?? -1)) return undefined;
  if (total > policy.maxRemovals)
    return {
      code: 'TOO_MANY_REMOVALS',
      reason: `${total} memberships would be removed from managed teams, over policy.maxRemovals=${policy.maxRemovals}; review the plan, then approve the run or rerun with --allow-removals ${total}`,
    };
  const teams = new Map(actual.teams.map((t) => [t.id, t]));
  const shrinking = [...removed]
    .map(([id, n]) => ({ team: teams.get(id), n }))
    .filter(
      ({ team, n }) =>
        team !== undefined &&
        team.type !== 'org' &&
        team.memberIds.length >= policy.teamShrinkMinMembers &&
        (n * 100) / team.memberIds.length > policy.maxTeamShrinkPercent,
    );
  if (shrinking.length === 0) return undefined;
  const list = shrinking
    .slice(0, 5)
    .map(({ team, n }) => `"${team!.name}" ${n} of ${team!.memberIds.length}`)
    .join(', ');
  return {
    code: 'TEAM_SHRINK',
    reason: `${shrinking.length} team(s) would lose more than ${policy.maxTeamShrinkPercent}% of their members (${list}${shrinking.length > 5 ? ', …' : ''}); a source read that misses a group (a mistyped scope entry) looks like this: check it, then approve the run or rerun with --allow-removals ${total}`,
  };
}
