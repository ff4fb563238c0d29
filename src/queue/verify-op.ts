import type { Actual, Op, TargetTeam, TargetUser } from '../model/index.js';
import type { OpOutcome } from '../targets/target.js';

/** Ids the run resolved for an op's refs (created earlier in the run, or linked). */
export interface ResolvedRefs {
  teamId?: string;
  userId?: string;
}

const same = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();
const verified = (createdId?: string): OpOutcome => ({
  status: 'already-done',
  detail: 'the answer was unreadable; reading back shows the change is there',
  ...(createdId ? { createdId } : {}),
});

/**
 * Whether the target already shows what `op` asked for: used when a write's answer could not be
 * read on its last attempt, so an applied call is not recorded as failed (and its dependants are
 * not skipped). Pure over the target's read; undefined when the change is not there.
 */
export function readBack(op: Op, actual: Actual, refs: ResolvedRefs = {}): OpOutcome | undefined {
  const team = (ref: { id?: string; name: string; parent?: { id: string } }): TargetTeam | undefined => {
    const id = ref.id ?? refs.teamId;
    return id !== undefined
      ? actual.teams.find((t) => t.id === id)
      : actual.teams.find((t) => same(t.name, ref.name) && (!ref.parent || t.parentId === ref.parent.id));
  };
  const user = (ref: { id?: string; email: string }): TargetUser | undefined => {
    const id = ref.id ?? refs.userId;
    return id !== undefined
      ? actual.users.find((u) => u.id === id)
      : actual.users.find((u) => same(u.email, ref.email));
  };
  switch (op.kind) {
    case 'createTeam': {
      const t = team({ name: op.team.name, ...(op.team.parent ? { parent: op.team.parent } : {}) });
      return t ? verified(t.id) : undefined;
    }
    case 'renameTeam':
      return team(op.team)?.name === op.team.name ? verified(op.team.id) : undefined;
    case 'createUser': {
      const u = actual.users.find((x) => same(x.email, op.user.email));
      return u ? verified(u.id) : undefined;
    }
    case 'addMember': {
      const t = team(op.team);
      const u = user(op.user);
      return t && u && t.memberIds.includes(u.id) ? verified() : undefined;
    }
    case 'removeMember': {
      const t = team(op.team);
      return !t || !t.memberIds.includes(op.user.id) ? verified() : undefined;
    }
    case 'setMembers': {
      const t = team(op.team);
      if (!t) return undefined;
      const want = op.members.map((m) =>
        m.id !== undefined ? m.id : actual.users.find((u) => same(u.email, m.email))?.id,
      );
      const have = new Set(t.memberIds);
      return want.every((id) => id !== undefined && have.has(id)) && have.size === want.length ? verified() : undefined;
    }
    case 'setRole': {
      const held = user(op.user)?.roles?.[op.team?.id ?? ''] ?? [];
      return held.length === op.to.length && op.to.every((r) => held.some((h) => same(h, r))) ? verified() : undefined;
    }
    case 'deleteUser':
      return actual.users.some((u) => u.id === op.user.id) ? undefined : verified();
    case 'deleteTeam':
      return actual.teams.some((t) => t.id === op.team.id) ? undefined : verified();
  }
}
