import type { Op, Plan } from '../model/index.js';
import type { PlanInput } from './plan-input.js';

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
  const allowed = input.allowDeletes ?? -1;
  const percent = usersInScope > 0 ? (deletions * 100) / usersInScope : 0;
  if (deletions > allowed && (deletions > policy.maxDeletes || percent > policy.maxDeletePercent)) {
    return {
      code: 'TOO_MANY_DELETES',
      reason: `${deletions} deletions (${percent.toFixed(1)}% of ${usersInScope} managed users) exceed policy.maxDeletes=${policy.maxDeletes} / maxDeletePercent=${policy.maxDeletePercent}; review the plan and rerun with --allow-deletes ${deletions}`,
    };
  }

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
