import type { Actual, Op, TargetCapabilities, TargetUser } from '../model/index.js';
import type { ResolvedTeam } from './resolve-teams.js';
import { rankOf } from './roles.js';

/**
 * The target's rules as counts the plan must never break: a container that keeps a member
 * (an owners team) never drops to zero members, and every org keeps a holder of the role it must
 * keep (an Admin). Counts follow the plan as it is built; a change that would break a rule
 * is refused with a warning, and removals wait for the adds that keep the rule.
 */
export class Invariants {
  private readonly members = new Map<string, number>();
  private readonly holders = new Map<string, number>();
  private readonly keepers = new Set<string>();

  constructor(
    private readonly actual: Actual,
    private readonly caps: TargetCapabilities,
    private readonly warnings: string[],
  ) {
    for (const t of actual.teams) {
      if (t.keepsMember) {
        this.keepers.add(t.id);
        this.members.set(t.id, t.memberIds.length);
      }
    }
    const keepOne = caps.roles?.keepOne;
    if (keepOne !== undefined) {
      for (const u of actual.users) {
        for (const [scope, roles] of Object.entries(u.roles ?? {}))
          if (this.holds(roles)) this.holders.set(scope, (this.holders.get(scope) ?? 0) + 1);
      }
    }
  }

  private holds(roles: string[] | undefined): boolean {
    const keepOne = this.caps.roles?.keepOne;
    return (
      keepOne !== undefined &&
      (roles ?? []).some((r) => rankOf(this.caps.roles!, r) === rankOf(this.caps.roles!, keepOne))
    );
  }

  /** A user in a container that must keep a member. */
  isKeeper(user: TargetUser): boolean {
    return user.teamIds.some((id) => this.keepers.has(id));
  }

  added(t: ResolvedTeam, _userId: string, role?: string): void {
    if (t.id !== undefined && this.keepers.has(t.id)) this.members.set(t.id, (this.members.get(t.id) ?? 0) + 1);
    if (t.type === 'org' && t.id !== undefined && this.holds(role ? [role] : []))
      this.holders.set(t.id, (this.holders.get(t.id) ?? 0) + 1);
  }

  /** May the user leave this container? Counts the departure when so. */
  mayLeave(teamId: string, user: TargetUser, who: string): boolean {
    if (this.keepers.has(teamId)) {
      const n = this.members.get(teamId) ?? 0;
      if (n <= 1) {
        this.warnings.push(
          `user ${user.id} is the last member of the ${this.nameOf(teamId)} team: not removed from it`,
        );
        return false;
      }
      this.members.set(teamId, n - 1);
    }
    if (this.holds(user.roles?.[teamId])) {
      const n = this.holders.get(teamId) ?? 0;
      if (n <= 1) {
        this.warnings.push(
          `${who} is the last ${this.caps.roles!.keepOne} of org "${this.nameOf(teamId)}": not removed from it`,
        );
        return false;
      }
      this.holders.set(teamId, n - 1);
    }
    return true;
  }

  /** Does this change take away the role every scope must keep? */
  losesKept(from: string[], to: string[]): boolean {
    return this.holds(from) && !this.holds(to);
  }

  /** May the user's roles in this scope change from `from` to `to`? Counts the change when so. */
  mayChangeRole(scope: string, user: TargetUser, from: string[], to: string[], who: string): boolean {
    const before = this.holds(from);
    const after = this.holds(to);
    if (before && !after) {
      const n = this.holders.get(scope) ?? 0;
      if (n <= 1) {
        this.warnings.push(
          `${who} is the last ${this.caps.roles!.keepOne}${scope ? ` of org "${this.nameOf(scope)}"` : ''}: role kept`,
        );
        return false;
      }
      this.holders.set(scope, n - 1);
    }
    if (!before && after) this.holders.set(scope, (this.holders.get(scope) ?? 0) + 1);
    return true;
  }

  /** May the user be deleted (leaving every container at once)? */
  mayDelete(user: TargetUser): boolean {
    return (
      user.teamIds.every((id) => this.mayLeave(id, user, user.email)) &&
      (user.roles?.[''] === undefined || this.mayChangeRole('', user, user.roles[''], [], user.email))
    );
  }

  /** Removals from a kept container, and demotions of a kept role, wait for every add that keeps the rule. */
  orderRemovalsAfterAdds(ops: Op[]): void {
    for (const keeper of this.keepers) {
      const team = this.actual.teams.find((t) => t.id === keeper)!;
      const adds = ops
        .filter(
          (o) =>
            (o.kind === 'addMember' || o.kind === 'createUser') &&
            o.team &&
            (o.team.id === keeper || o.team.name === team.name),
        )
        .map((o) => o.key);
      if (adds.length === 0) continue;
      for (const o of ops) {
        const leaves =
          (o.kind === 'removeMember' && o.team.id === keeper) ||
          (o.kind === 'deleteUser' && team.memberIds.includes(o.user.id));
        if (leaves) o.dependsOn = [...new Set([...o.dependsOn, ...adds])];
      }
    }
    if (this.caps.roles?.keepOne === undefined) return;
    const scopeOf = (o: Op): string | undefined => {
      if (o.kind === 'setRole') return o.team?.id ?? '';
      if ((o.kind === 'addMember' || o.kind === 'createUser' || o.kind === 'removeMember') && o.team?.type === 'org')
        return o.team.id;
      return undefined;
    };
    const gains = ops.filter(
      (o) =>
        (o.kind === 'setRole' && this.holds(o.to) && !this.holds(o.from)) ||
        ((o.kind === 'addMember' || o.kind === 'createUser') &&
          o.team?.type === 'org' &&
          this.holds(o.role ? [o.role] : [])),
    );
    for (const o of ops) {
      const losing =
        (o.kind === 'setRole' && this.holds(o.from) && !this.holds(o.to)) ||
        o.kind === 'removeMember' ||
        o.kind === 'deleteUser';
      if (!losing) continue;
      const scope = scopeOf(o);
      const deps = gains.filter((g) => o.kind === 'deleteUser' || scopeOf(g) === scope).map((g) => g.key);
      if (deps.length > 0) o.dependsOn = [...new Set([...o.dependsOn, ...deps])];
    }
  }

  private nameOf(id: string): string {
    return this.actual.teams.find((t) => t.id === id)?.name ?? id;
  }
}
