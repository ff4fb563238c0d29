import { normaliseEmail, type DesiredPerson, type Op, type TargetUser } from '../model/index.js';
import type { PlanInput, PlanObservations } from './plan-input.js';
import { refOf, type ResolvedTeam } from './resolve-teams.js';
import { opKey } from './op-key.js';
import { diffContext } from './diff-context.js';
import { byTeamName, deprovision, inScope, orgsFirst, pushRemove } from './deprovision-ops.js';
import { roleChange, wantedRoles } from './roles.js';
import { toWholeContainers } from './whole-container.js';
import { toWholeUsers } from './whole-user.js';
import { namesOf } from './names.js';
import { changeEmail, emailChanged, type EmailChangeContext } from './email-change.js';
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
  const { desired, actual, links, policy } = input;
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
    usersByEmail,
    sourceOfUser,
    protectedEmails,
    inv,
    handled,
    losses,
    retire,
    mayRemove,
    scopeOf,
  } = ctx;
  for (const person of desired.people) {
    if (protectedEmails.has(normaliseEmail(person.email))) continue;
    const wanted = person.teams.map((n) => teams.byName.get(n)).filter((t): t is ResolvedTeam => t !== undefined);
    const found = findUser(person);
    if (found === 'conflict') continue;
    if (found?.untouchable !== undefined) {
      handled.add(found.id);
      continue;
    }
    const user =
      found && emailChanged(person, found) ? changeEmail(emailContext(person, wanted), person, found) : found;
    if (!user) {
      if (!found && (wanted.length > 0 || (roleCaps?.scope === 'target' && person.roles)))
        createUserOps(person, wanted);
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
      const role = t.type === 'org' ? joinRole(person, t) : undefined;
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
    if (caps.updatableNames) nameOp(person, user, userRef);
    if (roleCaps)
      roleOps(
        person,
        user,
        userRef,
        wanted.filter((t) => t.id !== undefined && current.has(t.id)),
        addKeys,
      );
    // Removals are decided once every add and promotion is counted, so a rule such as "an org keeps
    // an Admin" sees the plan's final state, whatever order the people come in.
    losses.push(() => {
      const leaving = new Set<string>();
      for (const teamId of orgsFirst(ctx, byTeamName(ctx, user.teamIds))) {
        if (!teams.managedIds.has(teamId) || keep.has(teamId) || !mayRemove(user.id, teamId)) continue;
        if (!inv.mayLeave(teamId, user, person.email)) continue;
        leaving.add(teamId);
        pushRemove(
          ctx,
          user,
          userRef,
          teamId,
          goneReason(teams.gone, teamId) ??
            `directory no longer puts ${person.email} in "${teamsById.get(teamId)!.name}"`,
          addKeys,
          leaving,
        );
      }
    });
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

  function findUser(person: DesiredPerson): TargetUser | undefined | 'conflict' {
    const linkedId = links.users.get(person.sourceId);
    const linked = linkedId !== undefined ? usersById.get(linkedId) : undefined;
    if (linked) return linked;
    const byEmail = usersByEmail.get(normaliseEmail(person.email));
    if (!byEmail) return undefined;
    const owner = sourceOfUser.get(byEmail.id);
    if (owner !== undefined && owner !== person.sourceId && usersById.has(byEmail.id)) {
      warnings.push(
        `${person.email}: target user ${byEmail.id} is linked to another directory person (${owner}): skipped`,
      );
      return 'conflict';
    }
    obs.userLinks.push([person.sourceId, byEmail.id]);
    return byEmail;
  }

  /** The role a person joins an org with: the rules', else the target's default. */
  function joinRole(person: DesiredPerson, org: ResolvedTeam) {
    return (
      wantedRoles(person.roles?.[org.label], roleCaps!, (w) => warnings.push(w)) ?? {
        roles: [roleCaps!.default],
        reason: 'default role',
      }
    );
  }

  /** The ops that give a person a new account and their containers; their keys (none: waiting for a first sign-in). */
  function createUserOps(person: DesiredPerson, wanted: ResolvedTeam[], why?: string): string[] {
    const before = ops.length;
    if (caps.userCreation === 'first-login') {
      if (actual.allUsersListed !== false) {
        waiting.push(person.email);
        return [];
      }
    }
    const userRef = { sourceId: person.sourceId, email: person.email };
    let createKey: string | undefined;
    let first: ResolvedTeam | undefined;
    if (caps.userCreation !== 'first-login') {
      // One call creates the user; where it also places them (on a team, or in an org), prefer a
      // container that already exists so the create need not wait.
      if (caps.userCreation === 'with-container') {
        const kind = caps.containers.types.includes('org') ? 'org' : 'team';
        const eligible = wanted.filter((t) => t.type === kind);
        first =
          eligible.find((t) => t.id !== undefined && !t.keepsMember) ??
          eligible.find((t) => t.id !== undefined) ??
          eligible[0];
        if (!first) return [];
      }
      const role =
        first?.type === 'org'
          ? joinRole(person, first)
          : roleCaps?.scope === 'target'
            ? wantedRoles(person.roles?.[''], roleCaps, (w) => warnings.push(w))
            : undefined;
      createKey = opKey('user-create', person.sourceId);
      ops.push({
        kind: 'createUser',
        key: createKey,
        user: userRef,
        displayName: person.displayName,
        ...(first ? { team: refOf(first) } : {}),
        ...(role ? { role: role.roles[0]! } : {}),
        // Where a user holds several roles, or keeps first and last names, the create carries them all.
        ...(role && roleCaps?.many ? { roles: role.roles } : {}),
        ...(caps.updatableNames ? namesOf(person) : {}),
        reason: `${why ?? 'in the directory, not in the target'}${first ? `; created in "${first.label}"` : ''}${role ? ` as ${roleCaps?.many ? role.roles.join(', ') : role.roles[0]} (${role.reason})` : ''}`,
        dependsOn: first?.createOp ? [first.createOp] : [],
      });
      if (first) inv.added(first, `new-${person.sourceId}`, role?.roles[0]);
    }
    const joins = new Map<string, string>();
    for (const t of [...wanted].sort((a, b) => (a.type === 'org' ? -1 : 0) - (b.type === 'org' ? -1 : 0))) {
      if (t === first) continue;
      const role = t.type === 'org' ? joinRole(person, t) : undefined;
      inv.added(t, `new-${person.sourceId}`, role?.roles[0]);
      const key = opKey('add', `new-${person.sourceId}`, t.id ?? `new-${t.key}`);
      if (t.type === 'org') joins.set(t.id!, key);
      const orgJoin = t.parent ? joins.get(t.parent.id) : undefined;
      // No spreads on this path: it runs once per new membership (650,000 times at 100,000 people).
      const dependsOn: string[] = [];
      if (createKey) dependsOn.push(createKey);
      if (t.createOp) dependsOn.push(t.createOp);
      if (orgJoin) dependsOn.push(orgJoin);
      const join: Op & { kind: 'addMember' } = {
        kind: 'addMember',
        key,
        user: userRef,
        team: refOf(t),
        reason: `directory puts ${person.email} in "${t.label}"${role ? ` as ${role.roles[0]} (${role.reason})` : ''}`,
        dependsOn,
      };
      if (role) join.role = role.roles[0]!;
      ops.push(join);
    }
    return ops.slice(before).map((o) => o.key);
  }

  function emailContext(person: DesiredPerson, wanted: ResolvedTeam[]): EmailChangeContext {
    return {
      policy,
      caps,
      warnings,
      usersByEmail,
      sourceOfUser,
      protectedEmails,
      claim: (id) => handled.add(id),
      relink: (sourceId, userId) => obs.userLinks.push([sourceId, userId]),
      createAccount: (why) => createUserOps(person, wanted, why),
      // After every add of the new account is planned, so the old one's removals can wait for them.
      retire: (old, why, after, newUserId) =>
        retire.push(() => {
          const adds = ops
            .filter(
              (o) =>
                (o.kind === 'addMember' || o.kind === 'setRole') && newUserId !== undefined && o.user.id === newUserId,
            )
            .map((o) => o.key);
          const before = ops.length;
          deprovision(ctx, old, why, [...after, ...adds]);
          if (ops.length > before) ctx.deprovisioned += 1;
        }),
    };
  }

  function roleOps(
    person: DesiredPerson,
    user: TargetUser,
    userRef: { id: string; email: string; sourceId: string },
    stayIn: ResolvedTeam[],
    after: string[],
  ): void {
    const scopes = roleCaps!.scope === 'org' ? stayIn.filter((t) => t.type === 'org') : [undefined];
    for (const org of scopes) {
      const want = wantedRoles(person.roles?.[scopeOf(org) ?? ''], roleCaps!, (w) => warnings.push(w));
      if (!want) continue;
      const current = user.roles?.[org?.id ?? ''] ?? [];
      const to = roleChange(current, want.roles, roleCaps!, policy.roles);
      if (!to) continue;
      const push = () => {
        if (!inv.mayChangeRole(org?.id ?? '', user, current, to, person.email)) return;
        ops.push({
          kind: 'setRole',
          key: opKey('role', user.id, org?.id ?? 'all'),
          user: userRef,
          ...(org ? { team: refOf(org) as never } : {}),
          from: current,
          to,
          reason: `${current.join(', ') || 'no role'} -> ${to.join(', ')}: ${want.reason}${org ? ` (in "${org.name}")` : ''}`,
          dependsOn: [...after],
        });
      };
      // A demotion is decided with the removals, after every promotion is counted.
      if (inv.losesKept(current, to)) losses.push(push);
      else push();
    }
  }

  /** First and last name where the target keeps them and they differ from the directory's (folded into the user's one write). */
  function nameOp(
    person: DesiredPerson,
    user: TargetUser,
    userRef: { id: string; email: string; sourceId: string },
  ): void {
    const want = namesOf(person);
    if (want.givenName === (user.givenName ?? '') && want.familyName === (user.familyName ?? '')) return;
    ops.push({
      kind: 'setUser',
      key: opKey('user-name', user.id),
      user: userRef,
      ...want,
      added: 0,
      removed: 0,
      dependsOn: [],
      reason: `name "${[user.givenName, user.familyName].filter((n) => n).join(' ')}" -> "${[want.givenName, want.familyName].filter((n) => n).join(' ')}" (from the directory)`,
    });
  }
}
