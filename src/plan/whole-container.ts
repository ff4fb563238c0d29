import type { Actual, ListedMember, Op, TargetUser, TeamRef } from '../model/index.js';
import { KEY_PREFIX_KINDS, opKey } from './op-key.js';
import { joinReasons } from './reasons.js';
import { changesOf, containerOf } from './changes.js';

type Membership = Extract<Op, { kind: 'addMember' | 'removeMember' }>;

/**
 * For targets that write a team's whole member list in one call: the per-member adds and removes
 * of each team become one setMembers op carrying the complete list (current members, less those
 * removed, plus those added). Org memberships stay per call (an org has no whole-list write).
 * Ops that waited for a folded add or remove now wait for the setMembers op.
 *
 * The list names only users that exist when it lands: never one the same plan deletes or takes out
 * of the team's org (those ops run concurrently with it, and a list naming a deleted
 * user fails whole), and a new member only once the ops giving them an account have succeeded
 * (`after`: awaited per member, so one failed account never holds back the team's other changes).
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
  const departing = departingUsers(ops);
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
    const removals = g.ops.filter((o) => o.kind === 'removeMember');
    const removed = new Set(removals.map((o) => o.user.id!));
    const current = teamsById.get(g.team.id ?? '')?.memberIds ?? [];
    const leaves = (uid: string) =>
      departing.deleted.has(uid) || departing.leftOrgs.has(`${uid}\n${g.team.parent?.id}`);
    const goneIds = current.filter((uid) => !removed.has(uid) && leaves(uid));
    const gone = goneIds.length;
    const members: ListedMember[] = current
      .filter((uid) => !removed.has(uid) && !leaves(uid))
      .map((uid) => ({ id: uid, email: usersById.get(uid)?.email ?? uid }));
    const adminIds = new Set(teamsById.get(g.team.id ?? '')?.adminIds ?? []);
    const admins = members.filter((m) => m.id !== undefined && adminIds.has(m.id));
    const adds = g.ops.filter((o) => o.kind === 'addMember');
    const hard = new Set<string>();
    for (const a of adds) {
      const after = a.dependsOn.filter((k) => !membershipKeys.has(k) && !makesContainer(k));
      for (const k of a.dependsOn) if (makesContainer(k)) hard.add(k);
      members.push(after.length > 0 ? { ...a.user, after } : a.user);
    }
    const own = new Set(g.ops.map((o) => o.key));
    for (const k of removals.flatMap((o) => o.dependsOn)) if (!own.has(k) && !membershipKeys.has(k)) hard.add(k);
    for (const o of g.ops) folded.set(o.key, key);
    out.push({
      kind: 'setMembers',
      key,
      team: g.team,
      members,
      added: adds.length,
      removed: removed.size + gone,
      dependsOn: [...hard],
      ...(admins.length > 0 ? { admins } : {}),
      ...(goneIds.length > 0 ? { departing: goneIds } : {}),
      changes: [
        ...adds.flatMap(changesOf),
        ...removals.flatMap(changesOf),
        ...goneIds.map((uid) => ({
          action: 'membership.remove' as const,
          person: usersById.get(uid)?.email ?? uid,
          object: containerOf(g.team),
          before: 'member',
          after: 'not a member',
          reason: 'leaves the org or is deleted',
        })),
      ],
      reason: `${adds.length} to add, ${removed.size + gone} to remove: ${joinReasons([
        ...adds.map((o) => o.reason),
        ...removals.map((o) => o.reason),
        ...Array<string>(gone).fill('leaves the org or is deleted'),
      ])}`,
    });
  }
  for (const op of out)
    op.dependsOn = [...new Set(op.dependsOn.map((k) => folded.get(k) ?? k))].filter((k) => k !== op.key);
  return out;
}

/** A dependency that makes or renames the container itself: the write cannot run without it. */
function makesContainer(key: string): boolean {
  const kind = (KEY_PREFIX_KINDS as Record<string, string | undefined>)[key.slice(0, key.indexOf('.'))];
  return kind === 'createTeam' || kind === 'renameTeam';
}

/** Users the plan deletes, and (user, org) pairs it takes apart: none of them belongs in a list. */
function departingUsers(ops: Op[]): { deleted: Set<string>; leftOrgs: Set<string> } {
  const deleted = new Set<string>();
  const leftOrgs = new Set<string>();
  for (const op of ops) {
    if (op.kind === 'deleteUser') deleted.add(op.user.id);
    else if (op.kind === 'removeMember' && op.team.type === 'org') leftOrgs.add(`${op.user.id}\n${op.team.id}`);
  }
  return { deleted, leftOrgs };
}
