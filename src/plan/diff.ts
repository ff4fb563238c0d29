import { normaliseEmail, type DesiredPerson, type Op, type TargetUser } from '../model/index.js';
import type { PlanInput, PlanObservations } from './plan-input.js';
import { resolveTeams, type ResolvedTeam } from './resolve-teams.js';
import { opKey } from './op-key.js';

export interface DiffResult {
  ops: Op[];
  warnings: string[];
  observations: PlanObservations;
  /** Users the deprovision policy acted on (deleted, or removed from managed teams). */
  deprovisioned: number;
  /** Target users the sync manages: linked, matched, or members of a managed team. */
  usersInScope: number;
}

const membership = (userId: string, teamId: string) => `${userId}|${teamId}`;

/** The difference between Desired and Actual as ops, respecting the target's rules. Pure. */
export function diff(input: PlanInput): DiffResult {
  const { desired, actual, links, policy, capabilities } = input;
  const teams = resolveTeams(input);
  const ops: Op[] = [...teams.ops];
  const warnings = [...teams.warnings];
  const obs: PlanObservations = { userLinks: [], teamLinks: teams.newLinks, newlyAbsent: [], reappeared: [] };

  const usersById = new Map(actual.users.map((u) => [u.id, u]));
  const teamsById = new Map(actual.teams.map((t) => [t.id, t]));
  const usersByEmail = new Map<string, TargetUser>();
  for (const u of actual.users) usersByEmail.set(normaliseEmail(u.email), u);
  const sourceOfUser = new Map<string, string>();
  for (const [sourceId, userId] of links.users) sourceOfUser.set(userId, sourceId);
  const protectedEmails = new Set(policy.protectedUsers.map(normaliseEmail));
  const additive = policy.membership === 'additive';
  const mayRemove = (userId: string, teamId: string) => !additive || links.granted.has(membership(userId, teamId));

  // The Owners team must keep one member: count what it will hold after adds and removals.
  const owners = actual.teams.find((t) => t.isOwner);
  let ownerCount = owners?.memberIds.length ?? 0;
  const removeOwnerMembership = (userId: string): boolean => {
    if (ownerCount <= 1) {
      warnings.push(`user ${userId} is the last member of the Owners team: not removed from it`);
      return false;
    }
    ownerCount -= 1;
    return true;
  };

  const handled = new Set<string>();
  for (const person of desired.people) {
    if (protectedEmails.has(normaliseEmail(person.email))) continue;
    const wanted = person.teams.map((n) => teams.byName.get(n)).filter((t): t is ResolvedTeam => t !== undefined);
    const user = findUser(person);
    if (user === 'conflict') continue;
    if (!user) {
      if (wanted.length > 0) ops.push(...createUserOps(person, wanted));
      continue;
    }
    handled.add(user.id);
    if (input.tombstones.has(user.id)) obs.reappeared.push(user.id);
    if (normaliseEmail(user.email) !== normaliseEmail(person.email)) {
      warnings.push(`user ${user.id}: email is "${user.email}" in the target but "${person.email}" in the directory; emails are read-only, kept as is`);
    }
    const current = new Set(user.teamIds);
    const userRef = { id: user.id, sourceId: person.sourceId, email: user.email };
    const addKeys: string[] = [];
    for (const t of wanted) {
      if (t.id !== undefined && current.has(t.id)) continue;
      const key = opKey('add', user.id, t.id ?? `new-${t.key}`);
      addKeys.push(key);
      if (t.isOwner) ownerCount += 1;
      ops.push({ kind: 'addMember', key, user: userRef, team: ref(t), reason: `directory puts ${person.email} in "${t.name}"`, dependsOn: t.createOp ? [t.createOp] : [] });
    }
    const keep = new Set(wanted.map((t) => t.id).filter((id): id is string => id !== undefined));
    for (const teamId of byTeamName(user.teamIds)) {
      if (!teams.managedIds.has(teamId) || keep.has(teamId) || !mayRemove(user.id, teamId)) continue;
      const team = teamsById.get(teamId)!;
      if (team.isOwner && !removeOwnerMembership(user.id)) continue;
      ops.push({
        kind: 'removeMember', key: opKey('remove', user.id, teamId), user: userRef, team: { id: teamId, name: team.name },
        reason: `directory no longer puts ${person.email} in "${team.name}"`, dependsOn: addKeys,
      });
    }
  }

  let deprovisioned = 0;
  const departed = actual.users.filter((u) => !handled.has(u.id) && inScope(u) && !protectedEmails.has(normaliseEmail(u.email)));
  for (const user of departed) {
    const since = input.tombstones.get(user.id);
    if (since === undefined) obs.newlyAbsent.push(user.id);
    if (policy.deprovision === 'none') continue;
    if (policy.deprovisionAfter > 0 && input.now - (since ?? input.now) < policy.deprovisionAfter) continue;
    const before = ops.length;
    deprovision(user);
    if (ops.length > before) deprovisioned += 1;
  }
  if (departed.length > 0 && policy.deprovision === 'none') warnings.push(`${departed.length} users are no longer in the directory; deprovision is "none": left as they are`);

  if (policy.prune) {
    const wantedIds = new Set([...teams.byName.values()].map((t) => t.id));
    const protectedTeams = new Set(policy.protectedTeams.map((n) => n.trim().toLowerCase()));
    for (const teamId of new Set(links.teams.values())) {
      const team = teamsById.get(teamId);
      if (!team || wantedIds.has(teamId) || team.isOwner || team.noAdd || protectedTeams.has(team.name.trim().toLowerCase())) continue;
      ops.push({ kind: 'deleteTeam', key: opKey('team-delete', teamId), team: { id: teamId, name: team.name }, reason: `team "${team.name}" was created by the sync and is no longer mapped (prune)`, dependsOn: [] });
    }
  }
  if (owners) {
    // Owners must never drop to zero: removals from it wait for every add to it.
    const ownerAdds = ops.filter((o) => (o.kind === 'addMember' || o.kind === 'createUser') && (o.team.id === owners.id || o.team.name === owners.name)).map((o) => o.key);
    for (const o of ops) {
      const leavesOwners = (o.kind === 'removeMember' && o.team.id === owners.id) || (o.kind === 'deleteUser' && owners.memberIds.includes(o.user.id));
      if (leavesOwners && ownerAdds.length > 0) o.dependsOn = [...new Set([...o.dependsOn, ...ownerAdds])];
    }
  }
  const usersInScope = actual.users.filter((u) => handled.has(u.id) || inScope(u)).length;
  return { ops, warnings, observations: obs, deprovisioned, usersInScope };

  function findUser(person: DesiredPerson): TargetUser | undefined | 'conflict' {
    const linkedId = links.users.get(person.sourceId);
    const linked = linkedId !== undefined ? usersById.get(linkedId) : undefined;
    if (linked) return linked;
    const byEmail = usersByEmail.get(normaliseEmail(person.email));
    if (!byEmail) return undefined;
    const owner = sourceOfUser.get(byEmail.id);
    if (owner !== undefined && owner !== person.sourceId && usersById.has(byEmail.id)) {
      warnings.push(`${person.email}: target user ${byEmail.id} is linked to another directory person (${owner}): skipped`);
      return 'conflict';
    }
    obs.userLinks.push([person.sourceId, byEmail.id]);
    return byEmail;
  }

  function createUserOps(person: DesiredPerson, wanted: ResolvedTeam[]): Op[] {
    // One call creates the user on one team; prefer a team that already exists so it need not wait.
    const first = wanted.find((t) => t.id !== undefined && !t.isOwner) ?? wanted.find((t) => t.id !== undefined) ?? wanted[0]!;
    const createKey = opKey('user-create', person.sourceId);
    const userRef = { sourceId: person.sourceId, email: person.email };
    const out: Op[] = [{
      kind: 'createUser', key: createKey, user: userRef, displayName: person.displayName, team: ref(first),
      reason: `in the directory, not in the target; created on "${first.name}"`, dependsOn: first.createOp ? [first.createOp] : [],
    }];
    if (first.isOwner) ownerCount += 1;
    for (const t of wanted) {
      if (t === first) continue;
      if (t.isOwner) ownerCount += 1;
      out.push({
        kind: 'addMember', key: opKey('add', `new-${person.sourceId}`, t.id ?? `new-${t.key}`), user: userRef, team: ref(t),
        reason: `directory puts ${person.email} in "${t.name}"`, dependsOn: [createKey, ...(t.createOp ? [t.createOp] : [])],
      });
    }
    return out;
  }

  /** Linked users, and members of a managed team, are the sync's to deprovision; others are left alone. */
  function inScope(user: TargetUser): boolean {
    return sourceOfUser.has(user.id) || user.teamIds.some((id) => teams.managedIds.has(id));
  }

  function deprovision(user: TargetUser): void {
    const userRef = { id: user.id, email: user.email, ...(sourceOfUser.has(user.id) ? { sourceId: sourceOfUser.get(user.id)! } : {}) };
    const isOwner = owners !== undefined && user.teamIds.includes(owners.id);
    if (policy.deprovision === 'delete-user' && (!isOwner || policy.deleteOwners)) {
      if (isOwner && !removeOwnerMembership(user.id)) return;
      ops.push({ kind: 'deleteUser', key: opKey('user-delete', user.id), user: userRef, reason: `${user.email} is no longer in the directory (deprovision: delete-user)`, dependsOn: [] });
      return;
    }
    if (isOwner && policy.deprovision === 'delete-user') warnings.push(`${user.email} is an owner: not deleted (deleteOwners is off); removed from managed teams instead`);
    const removable = byTeamName(user.teamIds).filter((id) => teams.managedIds.has(id) && mayRemove(user.id, id));
    // The target refuses to remove a user's last team: keep one and say so.
    const leavesNone = capabilities.userNeedsOneTeam && removable.length === user.teamIds.length;
    const toRemove = leavesNone ? removable.slice(1) : removable;
    if (leavesNone && removable.length > 0) {
      warnings.push(`${user.email} is no longer in the directory but would be left with no team; kept on "${nameOf(removable[0]!)}" (use deprovision: delete-user to delete)`);
    }
    for (const teamId of toRemove) {
      const team = teamsById.get(teamId)!;
      if (team.isOwner && !removeOwnerMembership(user.id)) continue;
      ops.push({
        kind: 'removeMember', key: opKey('remove', user.id, teamId), user: userRef, team: { id: teamId, name: team.name },
        reason: `${user.email} is no longer in the directory (deprovision: remove-from-managed-teams)`, dependsOn: [],
      });
    }
  }

  function byTeamName(ids: string[]): string[] {
    return [...ids].sort((a, b) => nameOf(a).localeCompare(nameOf(b)));
  }

  function nameOf(teamId: string): string {
    return teamsById.get(teamId)?.name ?? teamId;
  }
}

function ref(t: ResolvedTeam) {
  return t.id !== undefined ? { id: t.id, name: t.name } : { name: t.name };
}
