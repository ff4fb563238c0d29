import { normaliseEmail, type DesiredPerson, type Op, type TargetUser } from '../model/index.js';
import { refOf, type ResolvedTeam } from './resolve-teams.js';
import { opKey, opKeyOfSafe, safePart } from './op-key.js';
import { roleChange, wantedRoles } from './roles.js';
import { namesOf } from './names.js';
import type { EmailChangeContext } from './email-change.js';
import type { DiffContext } from './diff-context.js';
import { deprovision } from './deprovision-ops.js';

// The person side of a diff: finding a person's account, creating one, and its roles and names.

/** The linked account, else the one with the person's email (a new link); 'conflict' if that one is another person's. */
export function findUser(ctx: DiffContext, person: DesiredPerson): TargetUser | undefined | 'conflict' {
  const { usersById, usersByEmail, sourceOfUser, warnings, obs } = ctx;
  const { links } = ctx.input;
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
export function joinRole(ctx: DiffContext, person: DesiredPerson, org: ResolvedTeam) {
  const { roleCaps, warnings } = ctx;
  return (
    wantedRoles(person.roles?.[org.label], roleCaps!, (w) => warnings.push(w)) ?? {
      roles: [roleCaps!.default],
      reason: 'default role',
    }
  );
}

/** The ops that give a person a new account and their containers; their keys (none: waiting for a first sign-in). */
export function createUserOps(ctx: DiffContext, person: DesiredPerson, wanted: ResolvedTeam[], why?: string): string[] {
  const { ops, caps, roleCaps, warnings, waiting, inv } = ctx;
  const { actual } = ctx.input;
  const before = ops.length;
  if (lacksAccountName(person, warnings)) return [];
  if (caps.userCreation === 'first-login') {
    if (actual.allUsersListed !== false) {
      waiting.push(person.email);
      return [];
    }
  }
  const accountName = person.accountName?.value;
  const userRef = { sourceId: person.sourceId, email: person.email, ...(accountName ? { accountName } : {}) };
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
        ? joinRole(ctx, person, first)
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
      reason: `${why ?? 'in the directory, not in the target'}${first ? `; created in "${first.label}"${because(person, first.label)}` : ''}${role ? ` as ${roleCaps?.many ? role.roles.join(', ') : role.roles[0]} (${role.reason})` : ''}`,
      dependsOn: first?.createOp ? [first.createOp] : [],
    });
    if (first) inv.added(first, `new-${person.sourceId}`, role?.roles[0]);
  }
  const joins = new Map<string, string>();
  const newUser = `new-${person.sourceId}`;
  const userPart = safePart(newUser);
  for (const t of [...wanted].sort((a, b) => (a.type === 'org' ? -1 : 0) - (b.type === 'org' ? -1 : 0))) {
    if (t === first) continue;
    const role = t.type === 'org' ? joinRole(ctx, person, t) : undefined;
    inv.added(t, newUser, role?.roles[0]);
    const key = opKeyOfSafe('add', userPart, teamPart(t));
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
      reason: `directory puts ${person.email} in "${t.label}"${because(person, t.label)}${role ? ` as ${role.roles[0]} (${role.reason})` : ''}`,
      dependsOn,
    };
    if (role) join.role = role.roles[0]!;
    ops.push(join);
  }
  return ops.slice(before).map((o) => o.key);
}

/** What the email-change rule may read and do for this person. */
export function emailContext(ctx: DiffContext, person: DesiredPerson, wanted: ResolvedTeam[]): EmailChangeContext {
  const { caps, warnings, usersByEmail, sourceOfUser, protectedEmails, handled, obs, retire, ops } = ctx;
  const { policy } = ctx.input;
  return {
    policy,
    caps,
    warnings,
    usersByEmail,
    sourceOfUser,
    protectedEmails,
    claim: (id) => handled.add(id),
    relink: (sourceId, userId) => obs.userLinks.push([sourceId, userId]),
    createAccount: (why) => createUserOps(ctx, person, wanted, why),
    changeInPlace: (old, why) =>
      void ops.push({
        kind: 'setUser',
        key: opKey('user-email', old.id),
        user: { id: old.id, email: old.email, sourceId: person.sourceId },
        email: person.email,
        added: 0,
        removed: 0,
        dependsOn: [],
        reason: why,
        changes: [
          {
            action: 'user.update',
            person: person.email,
            object: { type: 'account', name: person.email, id: old.id },
            before: old.email,
            after: person.email,
            reason: why,
          },
        ],
      }),
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

/** Role changes in the scopes the person stays in (each org, or target-wide). */
export function roleOps(
  ctx: DiffContext,
  person: DesiredPerson,
  user: TargetUser,
  userRef: { id: string; email: string; sourceId: string },
  stayIn: ResolvedTeam[],
  after: string[],
): void {
  const { roleCaps, warnings, inv, ops, losses, scopeOf } = ctx;
  const { policy } = ctx.input;
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
export function nameOp(
  ctx: DiffContext,
  person: DesiredPerson,
  user: TargetUser,
  userRef: { id: string; email: string; sourceId: string },
): void {
  const want = namesOf(person);
  if (want.givenName === (user.givenName ?? '') && want.familyName === (user.familyName ?? '')) return;
  ctx.ops.push({
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

/** A new person whose account name attribute has no value: warned, and no account made. */
function lacksAccountName(person: DesiredPerson, warnings: string[]): boolean {
  const want = person.accountName;
  if (!want || want.value !== undefined) return false;
  // Never a stand-in name: the account would be renamed the day the attribute arrives.
  warnings.push(
    `${person.email}: no value for "${want.attribute}", which the target's account name comes from: no account made`,
  );
  return true;
}

/**
 * The account's name (read back from the target) where the source attribute it comes from now has
 * another value: one setUser carrying the new name, the same account changed in place. Names
 * compare without regard to case (account names are logins). Without a value the name is kept.
 */
export function accountNameOp(
  ctx: DiffContext,
  person: DesiredPerson,
  user: TargetUser,
  userRef: { id: string; email: string; sourceId: string },
): void {
  const want = person.accountName;
  if (!want || user.accountName === undefined) return;
  if (want.value === undefined) {
    ctx.warnings.push(
      `${person.email}: no value for "${want.attribute}", which the target's account name comes from: user ${user.id} keeps "${user.accountName}"`,
    );
    return;
  }
  if (want.value.toLowerCase() === user.accountName.toLowerCase()) return;
  const reason = `account name "${user.accountName}" -> "${want.value}" (${want.attribute} in the directory)`;
  ctx.ops.push({
    kind: 'setUser',
    key: opKey('user-name', user.id, 'account'),
    user: { ...userRef, accountName: want.value },
    added: 0,
    removed: 0,
    dependsOn: [],
    reason,
    changes: [
      {
        action: 'user.update',
        person: person.email,
        object: { type: 'account', name: person.email, id: user.id },
        before: user.accountName,
        after: want.value,
        reason,
      },
    ],
  });
}

/** A team's part of a membership key, escaped once per team (a team has thousands of joins). */
const teamParts = new WeakMap<ResolvedTeam, string>();
function teamPart(t: ResolvedTeam): string {
  let part = teamParts.get(t);
  if (part === undefined) teamParts.set(t, (part = safePart(t.id ?? `new-${t.key}`)));
  return part;
}

/** Why an attribute or condition rule puts the person in a team: ` (department = Sales)`; '' for a group's team. */
function because(person: DesiredPerson, label: string): string {
  const r = person.teamReasons?.get(label);
  return r === undefined ? '' : ` (${r})`;
}
