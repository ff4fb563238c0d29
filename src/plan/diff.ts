import { normaliseEmail, type DesiredPerson, type Op, type TargetUser, type UserRef } from '../model/index.js';
import type { PlanInput, PlanObservations } from './plan-input.js';
import { refOf, type ResolvedTeam } from './resolve-teams.js';
import { opKey } from './op-key.js';
import { diffContext, type DiffContext } from './diff-context.js';
import { accountNameOp, createUserOps, emailContext, findUser, joinRole, nameOp, roleOps } from './person-ops.js';
import { byTeamName, deprovision, inScope, leaveTeams } from './deprovision-ops.js';
import { toWholeContainers } from './whole-container.js';
import { toWholeUsers } from './whole-user.js';
import { changeEmail, emailChanged } from './email-change.js';
import { goneReason, goneTeamOps } from './gone-teams.js';
import { foldRolesIntoEnables } from './user-status.js';
import { accessOps } from './access-ops.js';

export interface DiffResult {
  ops: Op[];
  warnings: string[];
  observations: PlanObservations;
  /** Users the deprovision policy acted on (deleted, or removed from managed teams). */
  deprovisioned: number;
  /** Target users the sync manages: linked, matched, or members of a managed team; never one it never touches. */
  usersInScope: number;
  /** Target users the sync never touches, by why (the target's reason, or policy.protectedUsers). */
  neverTouched: Record<string, number>;
  /** Existing target containers the sync manages: teams (or units), and orgs. */
  teamsManaged: number;
  orgsManaged: number;
  /** People who have no account yet and cannot be created: they wait for their first sign-in. */
  waiting: string[];
  /** Managed teams whose group is gone that this plan empties: each counts as a deletion. */
  emptied: number;
}

/** Why a target user named in policy.protectedUsers is never touched. */
export const PROTECTED = 'policy.protectedUsers';

/** The difference between Desired and Actual as ops, respecting the target's capabilities and rules. Pure. */
export function diff(input: PlanInput): DiffResult {
  const ctx = diffContext(input);
  const { actual } = input;
  for (const person of input.desired.people) diffPerson(ctx, person);
  // Removals are decided once every add and promotion is counted, so a rule such as "an org keeps
  // an Admin" sees the plan's final state, whatever order the people come in.
  for (const loss of ctx.losses) loss();
  for (const r of ctx.retire) r();
  deprovisionDeparted(ctx);
  const emptied = goneTeamOps(
    ctx.teams.gone,
    ctx.ops,
    ctx.teamsById,
    ctx.warnings,
    (id) => ctx.usersById.get(id)?.email ?? id,
  );
  accessOps(input, ctx.teams, ctx.teamsById, ctx.ops, ctx.warnings);
  ctx.inv.orderRemovalsAfterAdds(ctx.ops);
  const { waiting, warnings } = ctx;
  if (waiting.length > 0) {
    warnings.push(
      `${waiting.length} person(s) have no account yet and are added after their first sign-in (${waiting.slice(0, 5).join(', ')}${waiting.length > 5 ? ', …' : ''})`,
    );
  }
  const neverTouched: Record<string, number> = {};
  let usersInScope = 0;
  for (const u of actual.users) {
    const why = u.untouchable ?? (ctx.protectedEmails.has(normaliseEmail(u.email)) ? PROTECTED : undefined);
    if (why !== undefined) neverTouched[why] = (neverTouched[why] ?? 0) + 1;
    else if (ctx.handled.has(u.id) || inScope(ctx, u)) usersInScope += 1;
  }
  const managed = [...ctx.teams.managedIds].map((id) => ctx.teamsById.get(id)?.type);
  return {
    ops: inWritingShape(ctx, foldRolesIntoEnables(ctx.ops)),
    warnings,
    observations: ctx.obs,
    deprovisioned: ctx.deprovisioned,
    usersInScope,
    neverTouched,
    teamsManaged: managed.filter((t) => t !== 'org').length,
    orgsManaged: managed.filter((t) => t === 'org').length,
    waiting,
    emptied,
  };
}

/** One person of the directory: a new account, or the adds, role and name changes of theirs (removals queued). */
function diffPerson(ctx: DiffContext, person: DesiredPerson): void {
  const { teams, handled, roleCaps, caps, teamsById } = ctx;
  if (ctx.protectedEmails.has(normaliseEmail(person.email))) return;
  const wanted = person.teams.map((n) => teams.byName.get(n)).filter((t): t is ResolvedTeam => t !== undefined);
  const found = findUser(ctx, person);
  if (found === 'conflict') return;
  if (found?.untouchable !== undefined) {
    handled.add(found.id);
    return;
  }
  const user =
    found && emailChanged(person, found) ? changeEmail(emailContext(ctx, person, wanted), person, found) : found;
  if (!user) {
    if (!found && (wanted.length > 0 || (roleCaps?.scope === 'target' && person.roles)))
      createUserOps(ctx, person, wanted);
    return;
  }
  handled.add(user.id);
  if (ctx.input.tombstones.has(user.id)) ctx.obs.reappeared.push(user.id);
  const current = new Set(user.teamIds);
  const userRef = { id: user.id, sourceId: person.sourceId, email: user.email };
  const enabled = enableOp(ctx, person, user, userRef);
  const addKeys = [...(enabled ? [enabled] : []), ...addOps(ctx, person, userRef, wanted, current)];
  const keep = new Set(wanted.map((t) => t.id).filter((id): id is string => id !== undefined));
  if (caps.updatableNames) nameOp(ctx, person, user, userRef);
  // The account name, where the target takes it from a source attribute (and reads it back).
  accountNameOp(ctx, person, user, userRef);
  if (roleCaps)
    roleOps(
      ctx,
      person,
      user,
      userRef,
      wanted.filter((t) => t.id !== undefined && current.has(t.id)),
      addKeys,
    );
  ctx.losses.push(() =>
    leaveTeams(
      ctx,
      user,
      userRef,
      byTeamName(ctx, user.teamIds).filter(
        (id) => teams.managedIds.has(id) && !keep.has(id) && ctx.mayRemove(user.id, id),
      ),
      person.email,
      (teamId) =>
        goneReason(teams.gone, teamId) ??
        `directory no longer puts ${person.email} in "${teamsById.get(teamId)!.name}"`,
      addKeys,
    ),
  );
}

/** Back in the directory with a disabled account: enabled again, never invited a second time. */
function enableOp(
  ctx: DiffContext,
  person: DesiredPerson,
  user: TargetUser,
  userRef: UserRef & { id: string },
): string | undefined {
  if (!ctx.caps.userStatus || user.status !== 'disabled') return undefined;
  const key = opKey('user-enable', user.id);
  ctx.ops.push({
    kind: 'enableUser',
    key,
    user: userRef,
    reason: `${person.email} is in the directory again: account enabled`,
    dependsOn: [],
  });
  return key;
}

/** The containers the person joins (an org join with its role; a team in an org after joining the org): their op keys. */
function addOps(
  ctx: DiffContext,
  person: DesiredPerson,
  userRef: UserRef & { id: string },
  wanted: ResolvedTeam[],
  current: ReadonlySet<string>,
): string[] {
  const keys: string[] = [];
  const joins = new Map<string, string>();
  for (const t of wanted) {
    if (t.id !== undefined && current.has(t.id)) continue;
    const key = opKey('add', userRef.id, t.id ?? `new-${t.key}`);
    keys.push(key);
    const role = t.type === 'org' ? joinRole(ctx, person, t) : undefined;
    ctx.inv.added(t, userRef.id, role?.roles[0]);
    if (t.type === 'org') joins.set(t.id!, key);
    const orgJoin = t.parent ? joins.get(t.parent.id) : undefined;
    ctx.ops.push({
      kind: 'addMember',
      key,
      user: userRef,
      team: refOf(t),
      ...(role ? { role: role.roles[0]! } : {}),
      reason: `directory puts ${person.email} in "${t.label}"${role ? ` as ${role.roles[0]} (${role.reason})` : ''}`,
      dependsOn: [...(t.createOp ? [t.createOp] : []), ...(orgJoin ? [orgJoin] : [])],
    });
  }
  return keys;
}

/** Target users the sync manages that the directory no longer has: tombstoned, then deprovisioned per policy. */
function deprovisionDeparted(ctx: DiffContext): void {
  const { input, handled, protectedEmails } = ctx;
  const { policy } = input;
  const departed = input.actual.users.filter(
    (u) =>
      !handled.has(u.id) &&
      u.untouchable === undefined &&
      inScope(ctx, u) &&
      !protectedEmails.has(normaliseEmail(u.email)),
  );
  for (const user of departed) {
    const since = input.tombstones.get(user.id);
    if (since === undefined) ctx.obs.newlyAbsent.push(user.id);
    if (policy.deprovision === 'none') continue;
    if (policy.deprovisionAfter > 0 && input.now - (since ?? input.now) < policy.deprovisionAfter) continue;
    const before = ctx.ops.length;
    deprovision(ctx, user);
    if (ctx.ops.length > before) ctx.deprovisioned += 1;
  }
  if (departed.length > 0 && policy.deprovision === 'none')
    ctx.warnings.push(
      `${departed.length} users are no longer in the directory; deprovision is "none": left as they are`,
    );
}

/** Per-call ops folded into the target's way of writing membership (whole containers, whole users). */
function inWritingShape(ctx: DiffContext, ops: Op[]): Op[] {
  const { actual } = ctx.input;
  if (ctx.caps.membership === 'whole-container') return toWholeContainers(ops, actual, ctx.usersById);
  if (ctx.caps.membership === 'whole-user') return toWholeUsers(ops, actual);
  return ops;
}
