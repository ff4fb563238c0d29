import type { TargetUser } from '../model/index.js';
import { opKey } from './op-key.js';
import type { DiffContext } from './diff-context.js';

// The removal side of a diff: who is in scope, leaving teams, and deprovisioning leavers.

/** Linked users, and members of a managed team, are the sync's to deprovision; others are left alone. */
export function inScope(ctx: DiffContext, user: TargetUser): boolean {
  return ctx.sourceOfUser.has(user.id) || user.teamIds.some((id) => ctx.teams.managedIds.has(id));
}

export function pushRemove(
  ctx: DiffContext,
  user: TargetUser,
  userRef: { id: string; email: string; sourceId?: string },
  teamId: string,
  reason: string,
  dependsOn: string[],
  leaving: Set<string>,
): void {
  const { teamsById } = ctx;
  const team = teamsById.get(teamId)!;
  // Leaving an org takes the user out of its teams as well: no call for those.
  if (team.parentId !== undefined && leaving.has(team.parentId) && teamsById.get(team.parentId)?.type === 'org') return;
  const parent = team.parentId !== undefined ? teamsById.get(team.parentId) : undefined;
  ctx.ops.push({
    kind: 'removeMember',
    key: opKey('remove', user.id, teamId),
    user: userRef,
    reason,
    dependsOn,
    team: {
      id: teamId,
      name: team.name,
      ...(team.type && team.type !== 'team' ? { type: team.type } : {}),
      ...(parent ? { parent: { id: parent.id, name: parent.name, type: 'org' as const } } : {}),
    },
  });
}

/**
 * `why` and `after` are given for an old account whose person moved to a new address: its ops
 * wait for the new account's, and carry no directory id (the identity link now belongs to the
 * new account, and a deleted user's link is forgotten).
 */
export function deprovision(ctx: DiffContext, user: TargetUser, why?: string, after: string[] = []): void {
  const { ops, warnings, inv, mode, caps, roleCaps, teams, sourceOfUser, mayRemove } = ctx;
  const { policy } = ctx.input;
  const userRef = {
    id: user.id,
    email: user.email,
    ...(sourceOfUser.has(user.id) && why === undefined ? { sourceId: sourceOfUser.get(user.id)! } : {}),
  };
  const keeper = inv.isKeeper(user);
  if (mode === 'disable' && (!keeper || policy.deleteOwners)) {
    if (user.status === 'disabled' || (keeper && !inv.mayDelete(user))) return;
    ops.push({
      kind: 'disableUser',
      key: opKey('user-disable', user.id),
      user: userRef,
      reason: why ?? `${user.email} is no longer in the directory (deprovision: ${policy.deprovision}: disabled)`,
      dependsOn: [...after],
    });
    return;
  }
  if (policy.deprovision === 'delete-user' && (!keeper || policy.deleteOwners)) {
    // An owner, or the last holder of a target-wide role that must be kept (an Admin), is not deleted.
    if ((keeper || user.roles?.[''] !== undefined) && !inv.mayDelete(user)) return;
    ops.push({
      kind: 'deleteUser',
      key: opKey('user-delete', user.id),
      user: userRef,
      reason: why ?? `${user.email} is no longer in the directory (deprovision: delete-user)`,
      dependsOn: [...after],
    });
    return;
  }
  if (keeper && (mode === 'delete' || mode === 'disable'))
    warnings.push(
      `${user.email} is an owner: not ${mode === 'delete' ? 'deleted' : 'disabled'} (deleteOwners is off); removed from managed teams instead`,
    );
  const removable = byTeamName(ctx, user.teamIds).filter((id) => teams.managedIds.has(id) && mayRemove(user.id, id));
  // The target refuses to remove a user's last team: keep one and say so.
  const leavesNone = caps.userNeedsOneTeam && removable.length === user.teamIds.length;
  const toRemove = leavesNone ? removable.slice(1) : removable;
  if (leavesNone && removable.length > 0) {
    warnings.push(
      `${user.email} is ${why ? 'an old address' : 'no longer in the directory'} but would be left with no team; kept on "${nameOf(ctx, removable[0]!)}" (use deprovision: delete-user to delete)`,
    );
  }
  leaveTeams(
    ctx,
    user,
    userRef,
    toRemove,
    user.email,
    () => why ?? `${user.email} is no longer in the directory (deprovision: remove-from-managed-teams)`,
    after,
  );
  // Where a user may hold no role, deprovisioning strips the target-wide roles too (the last holder of a kept role keeps it).
  const held = user.roles?.[''] ?? [];
  if (
    roleCaps?.removable &&
    roleCaps.scope === 'target' &&
    held.length > 0 &&
    inv.mayChangeRole('', user, held, [], user.email)
  ) {
    ops.push({
      kind: 'setRole',
      key: opKey('role', user.id, 'all'),
      user: userRef,
      from: held,
      to: [],
      reason: why ?? `${user.email} is no longer in the directory: roles removed`,
      dependsOn: [...after],
    });
  }
}

/**
 * Takes `user` out of each of `teamIds` the target's rules let them leave, orgs first, so an org's
 * removal covers its teams and they need no call of their own.
 */
export function leaveTeams(
  ctx: DiffContext,
  user: TargetUser,
  userRef: Parameters<typeof pushRemove>[2],
  teamIds: string[],
  email: string,
  reasonFor: (teamId: string) => string,
  after: string[],
): void {
  const leaving = new Set<string>();
  for (const teamId of orgsFirst(ctx, teamIds)) {
    if (!ctx.inv.mayLeave(teamId, user, email)) continue;
    leaving.add(teamId);
    pushRemove(ctx, user, userRef, teamId, reasonFor(teamId), after, leaving);
  }
}

export function orgsFirst(ctx: DiffContext, ids: string[]): string[] {
  const isOrg = (id: string) => (ctx.teamsById.get(id)?.type === 'org' ? 0 : 1);
  return [...ids].sort((a, b) => isOrg(a) - isOrg(b));
}

export function byTeamName(ctx: DiffContext, ids: string[]): string[] {
  return [...ids].sort((a, b) => nameOf(ctx, a).localeCompare(nameOf(ctx, b)));
}

export function nameOf(ctx: DiffContext, teamId: string): string {
  return ctx.teamsById.get(teamId)?.name ?? teamId;
}
