import type { Actual, Op, TeamRef } from '../model/index.js';
import { joinReasons } from './reasons.js';
import { opKey } from './op-key.js';
import { changesOf } from './changes.js';

type Folded = Extract<Op, { kind: 'addMember' | 'removeMember' | 'setRole' | 'setUser' }>;
type CreateUser = Extract<Op, { kind: 'createUser' }>;

/**
 * For targets that write a user's whole container list and role list in one call: every per-call
 * add, removal, target-wide role change and name change of one user becomes one op. An existing
 * user's become one setUser carrying the complete lists (what the user has, less what is removed,
 * plus what is added); a new user's adds fold into the createUser that makes them. So the plan holds
 * at most one write per user, and a retry after an applied-then-failed call sends the same lists
 * again. Ops that waited for a folded op now wait for the one that replaced it.
 */
export function toWholeUsers(ops: Op[], actual: Actual): Op[] {
  const users = new Map(actual.users.map((u) => [u.id, u]));
  const teams = new Map(actual.teams.map((t) => [t.id, t]));
  const creates = new Map<string, CreateUser>();
  for (const op of ops)
    if (op.kind === 'createUser' && op.user.sourceId !== undefined) creates.set(op.user.sourceId, op);
  const byUser = new Map<string, Folded[]>();
  const folded = new Map<string, string>();
  const out: Op[] = [];
  for (const op of ops) {
    const foldable =
      op.kind === 'addMember' ||
      op.kind === 'removeMember' ||
      op.kind === 'setUser' ||
      (op.kind === 'setRole' && op.team === undefined);
    if (!foldable) {
      out.push(op);
      continue;
    }
    const id = op.user.id ?? `new:${op.user.sourceId ?? op.user.email}`;
    byUser.set(id, [...(byUser.get(id) ?? []), op]);
  }
  const replaced: Op[] = [];
  for (const [id, group] of byUser) {
    const adds = group.filter((o): o is Extract<Op, { kind: 'addMember' }> => o.kind === 'addMember');
    const create = id.startsWith('new:') ? creates.get(group[0]!.user.sourceId ?? '') : undefined;
    if (create) {
      // A new user is created with every container at once.
      create.teams = dedupe([...(create.teams ?? (create.team ? [create.team] : [])), ...adds.map((a) => a.team)]);
      delete create.team;
      create.dependsOn = [...new Set([...create.dependsOn, ...adds.flatMap((a) => a.dependsOn)])];
      for (const a of adds) folded.set(a.key, create.key);
      continue;
    }
    const user = users.get(id);
    if (!user) {
      replaced.push(...group);
      continue;
    }
    const removed = new Set(group.filter((o) => o.kind === 'removeMember').map((o) => o.team.id!));
    const role = group.find((o): o is Extract<Op, { kind: 'setRole' }> => o.kind === 'setRole');
    const names = group.find((o): o is Extract<Op, { kind: 'setUser' }> => o.kind === 'setUser');
    const changesTeams = adds.length > 0 || removed.size > 0;
    const current: TeamRef[] = user.teamIds
      .filter((t) => !removed.has(t))
      .map((t) => {
        const team = teams.get(t);
        return { id: t, name: team?.name ?? t, ...(team?.type && team.type !== 'team' ? { type: team.type } : {}) };
      });
    const key = opKey('user-set', id);
    for (const o of group) folded.set(o.key, key);
    replaced.push({
      kind: 'setUser',
      key,
      user: {
        id,
        email: group[0]!.user.email,
        ...(group[0]!.user.sourceId ? { sourceId: group[0]!.user.sourceId } : {}),
      },
      ...(changesTeams ? { teams: dedupe([...current, ...adds.map((a) => a.team)]) } : {}),
      ...(role ? { roles: role.to, from: role.from } : {}),
      ...(names?.givenName !== undefined ? { givenName: names.givenName } : {}),
      ...(names?.familyName !== undefined ? { familyName: names.familyName } : {}),
      added: adds.length,
      removed: removed.size,
      ...(removed.size > 0 ? { left: [...removed].sort() } : {}),
      dependsOn: [...new Set(group.flatMap((o) => o.dependsOn))],
      changes: group.flatMap(changesOf),
      reason: joinReasons(group.map((o) => o.reason)),
    });
  }
  const all = [...out, ...replaced];
  for (const op of all)
    op.dependsOn = [...new Set(op.dependsOn.map((k) => folded.get(k) ?? k))].filter((k) => k !== op.key);
  return all;
}

/** One entry per container: by id, else by the key or name of one created in the same plan. */
function dedupe(refs: TeamRef[]): TeamRef[] {
  const seen = new Set<string>();
  return refs.filter((r) => {
    const k = r.id ?? `new:${r.key ?? ''}:${r.under?.key ?? ''}:${r.name}`;
    return !seen.has(k) && seen.add(k);
  });
}
