import { normaliseEmail, type Op } from '../model/index.js';
import type { PlanInput, PlanObservations } from './plan-input.js';
import { refOf, type ResolvedTeam } from './resolve-teams.js';
import { opKey } from './op-key.js';
import { diffContext } from './diff-context.js';
import { createUserOps, emailContext, findUser, joinRole, nameOp, roleOps } from './person-ops.js';
import { byTeamName, deprovision, inScope, leaveTeams } from './deprovision-ops.js';
import { toWholeContainers } from './whole-container.js';
import { toWholeUsers } from './whole-user.js';
import { changeEmail, emailChanged } from './email-change.js';
import { goneReason, goneTeamOps } from './gone-teams.js';
import { foldRolesIntoEnables } from './user-status.js';

export interface DiffResult {
  ops: Op[];
  warnings: string[];
  observations: PlanObservations;
  /** Users the deprovision policy acted on (deleted, or removed from managed teams). */
  deprovisioned: number;
  /** Target users the sync manages: linked, matched, or members of a managed team. */
  usersInScope: number;
  /** People who have no account yet and cannot be created: they wait for their first sign-in. */
  waiting: string[];
  /** Managed teams whose group is gone that this plan empties: each counts as a deletion. */
  emptied: number;
}

/** The difference between Desired and Actual as ops, respecting the target's capabilities and rules. Pure. */
export function diff(input: PlanInput): DiffResult {
  const ctx = diffContext(input);
  const { desired, actual, policy } = input;
  const {
    caps,
    roleCaps,
    teams,
    ops,
    warnings,
    obs,
    waiting,
    usersById,
    teamsById,
    protectedEmails,
    inv,
    handled,
    losses,
    retire,
    mayRemove,
  } = ctx;

  for (const person of desired.people) {
    if (protectedEmails.has(normaliseEmail(person.email))) continue;
    const wanted = person.teams.map((n) => teams.byName.get(n)).filter((t): t is ResolvedTeam => t !== undefined);
    const found = findUser(ctx, person);
    if (found === 'conflict') continue;
    if (found?.untouchable !== undefined) {
      handled.add(found.id);
      continue;
    }
    const user =
      found && emailChanged(person, found) ? changeEmail(emailContext(ctx, person, wanted), person, found) : found;
    if (!user) {
      if (!found && (wanted.length > 0 || (roleCaps?.scope === 'target' && person.roles)))
        createUserOps(ctx, person, wanted);
      continue;
    }
    handled.add(user.id);
    if (input.tombstones.has(user.id)) obs.reappeared.push(user.id);
    const current = new Set(user.teamIds);
    const userRef = { id: user.id, sourceId: person.sourceId, email: user.email };
    const addKeys: string[] = [];
    // Back in the directory with a disabled account: enabled again, never invited a second time.
    if (caps.userStatus && user.status === 'disabled') {
      const key = opKey('user-enable', user.id);
      ops.push({
        kind: 'enableUser',
        key,
        user: userRef,
        reason: `${person.email} is in the directory again: account enabled`,
        dependsOn: [],
      });
      addKeys.push(key);
    }
    const joins = new Map<string, string>();
    for (const t of wanted) {
      if (t.id !== undefined && current.has(t.id)) continue;
      const key = opKey('add', user.id, t.id ?? `new-${t.key}`);
      addKeys.push(key);
      const role = t.type === 'org' ? joinRole(ctx, person, t) : undefined;
      inv.added(t, user.id, role?.roles[0]);
      if (t.type === 'org') joins.set(t.id!, key);
      const orgJoin = t.parent ? joins.get(t.parent.id) : undefined;
      ops.push({
        kind: 'addMember',
        key,
        user: userRef,
        team: refOf(t),
        ...(role ? { role: role.roles[0]! } : {}),
        reason: `directory puts ${person.email} in "${t.label}"${role ? ` as ${role.roles[0]} (${role.reason})` : ''}`,
        dependsOn: [...(t.createOp ? [t.createOp] : []), ...(orgJoin ? [orgJoin] : [])],
      });
    }
    const keep = new Set(wanted.map((t) => t.id).filter((id): id is string => id !== undefined));
    if (caps.updatableNames) nameOp(ctx, person, user, userRef);
    if (roleCaps)
      roleOps(
        ctx,
        person,
        user,
        userRef,
        wanted.filter((t) => t.id !== undefined && current.has(t.id)),
        addKeys,
      );
    // Removals are decided once every add and promotion is counted, so a rule such as "an org keeps
    // an Admin" sees the plan's final state, whatever order the people come in.
    losses.push(() =>
      leaveTeams(
        ctx,
        user,
        userRef,
        byTeamName(ctx, user.teamIds).filter(
          (id) => teams.managedIds.has(id) && !keep.has(id) && mayRemove(user.id, id),
        ),
        person.email,
        (teamId) =>
          goneReason(teams.gone, teamId) ??
          `directory no longer puts ${person.email} in "${teamsById.get(teamId)!.name}"`,
        addKeys,
      ),
    );
  }
  for (const loss of losses) loss();

  for (const r of retire) r();
  const departed = actual.users.filter(
    (u) =>
      !handled.has(u.id) &&
      u.untouchable === undefined &&
      inScope(ctx, u) &&
      !protectedEmails.has(normaliseEmail(u.email)),
  );
  for (const user of departed) {
    const since = input.tombstones.get(user.id);
    if (since === undefined) obs.newlyAbsent.push(user.id);
    if (policy.deprovision === 'none') continue;
    if (policy.deprovisionAfter > 0 && input.now - (since ?? input.now) < policy.deprovisionAfter) continue;
    const before = ops.length;
    deprovision(ctx, user);
    if (ops.length > before) ctx.deprovisioned += 1;
  }
  if (departed.length > 0 && policy.deprovision === 'none')
    warnings.push(`${departed.length} users are no longer in the directory; deprovision is "none": left as they are`);

  const emptied = goneTeamOps(teams.gone, ops, teamsById, warnings);
  inv.orderRemovalsAfterAdds(ops);
  if (waiting.length > 0) {
    warnings.push(
      `${waiting.length} person(s) have no account yet and are added after their first sign-in (${waiting.slice(0, 5).join(', ')}${waiting.length > 5 ? ', …' : ''})`,
    );
  }
  const usersInScope = actual.users.filter((u) => handled.has(u.id) || inScope(ctx, u)).length;
  const folded = foldRolesIntoEnables(ops);
  const out =
    caps.membership === 'whole-container'
      ? toWholeContainers(folded, actual, usersById)
      : caps.membership === 'whole-user'
        ? toWholeUsers(folded, actual)
        : folded;
  return { ops: out, warnings, observations: obs, deprovisioned: ctx.deprovisioned, usersInScope, waiting, emptied };
}
