import type { Actual, Op, TargetUser, TeamRef, UserRef } from '../model/index.js';
import { opKey } from './op-key.js';

type Membership = Extract<Op, { kind: 'addMember' | 'removeMember' }>;

/**
 * For targets that write a team's whole member list in one call: the per-member adds and removes
 * of each team become one setMembers op carrying the complete list (current members, less those
 * removed, plus those added). Org memberships stay per call (an org has no whole-list write).
 * Ops that waited for a folded add or remove now wait for the setMembers op.
 */
export function toWholeContainers(ops: Op[], actual: Actual, usersById: ReadonlyMap<string, TargetUser>): Op[] {
  const groups = new Map<string, { team: TeamRef; ops: Membership[] }>();
  const teamOf = (t: TeamRef) => t.id ?? `new:${t.parent?.id ?? ''}:${t.name}`;
  for (const op of ops) {
    if ((op.kind !== 'addMember' && op.kind !== 'removeMember') || op.team.type === 'org') continue;
    const id = teamOf(op.team);
    const g = groups.get(id) ?? { team: op.team, ops: [] };
    g.ops.push(op);
    groups.set(id, g);
  }
  if (groups.size === 0) return ops;
  const folded = new Map<string, string>();
  // Adds-before-removals across a user's teams keeps a user in one team somewhere on per-call
  // targets; a whole list is one write, so folded ops drop those mutual waits (two teams trading
  // members would otherwise wait for each other forever) and keep only waits on other ops.
  const membershipKeys = new Set([...groups.values()].flatMap((g) => g.ops.map((o) => o.key)));
  const out: Op[] = ops.filter(
    (op) => (op.kind !== 'addMember' && op.kind !== 'removeMember') || op.team.type === 'org',
  );
  const teamsById = new Map(actual.teams.map((t) => [t.id, t]));
  for (const [id, g] of groups) {
    const key = opKey('team-members', id.startsWith('new:') ? `new-${g.team.parent?.id ?? ''}-${g.team.name}` : id);
    const removed = new Set(g.ops.filter((o) => o.kind === 'removeMember').map((o) => o.user.id!));
    const members: UserRef[] = (teamsById.get(g.team.id ?? '')?.memberIds ?? [])
      .filter((uid) => !removed.has(uid))
      .map((uid) => ({ id: uid, email: usersById.get(uid)?.email ?? uid }));
    const adminIds = new Set(teamsById.get(g.team.id ?? '')?.adminIds ?? []);
    const admins = members.filter((m) => m.id !== undefined && adminIds.has(m.id));
    const adds = g.ops.filter((o) => o.kind === 'addMember');
    for (const a of adds) members.push(a.user);
    const own = new Set(g.ops.map((o) => o.key));
    const dependsOn = [
      ...new Set(g.ops.flatMap((o) => o.dependsOn).filter((k) => !own.has(k) && !membershipKeys.has(k))),
    ];
    for (const o of g.ops) folded.set(o.key, key);
    out.push({
      kind: 'setMembers',
      key,
      team: g.team,
      members,
      added: adds.length,
      removed: removed.size,
      dependsOn,
      ...(admins.length > 0 ? { admins } : {}),
      reason: `${adds.length} to add, ${removed.size} to remove: ${[...adds.slice(0, 2), ...g.ops.filter((o) => o.kind === 'removeMember').slice(0, 2)].map((o) => o.reason).join('; ')}${g.ops.length > 4 ? '; …' : ''}`,
    });
  }
  for (const op of out)
    op.dependsOn = [...new Set(op.dependsOn.map((k) => folded.get(k) ?? k))].filter((k) => k !== op.key);
  return out;
}
