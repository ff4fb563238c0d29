import { normaliseEmail, type DesiredPerson, type TargetCapabilities, type TargetUser } from '../model/index.js';
import type { PolicyConfig } from '../config/schema.js';

/** What the email-change rule needs from the diff: lookups, and the actions it may take. */
export interface EmailChangeContext {
  policy: PolicyConfig;
  caps: TargetCapabilities;
  warnings: string[];
  usersByEmail: ReadonlyMap<string, TargetUser>;
  sourceOfUser: ReadonlyMap<string, string>;
  protectedEmails: ReadonlySet<string>;
  /** The account is settled by this person: not a leaver. */
  claim(userId: string): void;
  /** The identity link moves to an existing account (an observation for the store). */
  relink(sourceId: string, userId: string): void;
  /** Plans the new account with the person's containers and roles; the keys of its ops (none: it cannot be made now). */
  createAccount(why: string): string[];
  /** Changes the account's address to the person's (a target with emailChange: in-place). */
  changeInPlace(old: TargetUser, why: string): void;
  /** Deprovisions the old account per policy once `after` (the new account's ops) have run. */
  retire(old: TargetUser, why: string, after: string[], newUserId?: string): void;
}

export const emailChanged = (person: DesiredPerson, user: TargetUser): boolean =>
  normaliseEmail(user.email) !== normaliseEmail(person.email);

/**
 * A linked person whose directory email differs from their account's. On a target that fixes an
 * email at creation, the old address can no longer sign in. `keep`: reported, the account kept. A
 * target that changes emails in place: one setUser op gives the same account the new address. `recreate` (the default): the new
 * address gets the person's containers and roles (an account that already holds it, else a new
 * one) and the old account is deprovisioned per policy once the new one has them; one
 * "email changed: old -> new" line per person says so. Returns the account to diff the person's
 * containers against; undefined when a new account is planned here.
 */
export function changeEmail(ctx: EmailChangeContext, person: DesiredPerson, old: TargetUser): TargetUser | undefined {
  const { policy, caps, warnings } = ctx;
  const line = `email changed: ${old.email} -> ${person.email}`;
  if (policy.emailChange === 'keep') {
    warnings.push(`${line}: policy.emailChange is keep; user ${old.id} kept as is`);
    return old;
  }
  if (caps.emailChange === 'in-place') {
    // The same account takes the new address; one that already holds it blocks the change.
    const holder = ctx.usersByEmail.get(normaliseEmail(person.email));
    if (holder && holder.id !== old.id) {
      warnings.push(`${line}: the new address belongs to another account (${holder.id}); user ${old.id} kept as is`);
      return old;
    }
    ctx.changeInPlace(old, line);
    warnings.push(`${line}: changed in place on user ${old.id}`);
    return old;
  }
  const taken = ctx.usersByEmail.get(normaliseEmail(person.email));
  const owner = taken ? ctx.sourceOfUser.get(taken.id) : undefined;
  if (taken && ((owner !== undefined && owner !== person.sourceId) || taken.untouchable !== undefined)) {
    warnings.push(
      `${line}: the new address belongs to another account (${taken.id}${owner ? `, linked to ${owner}` : ''}); user ${old.id} kept as is`,
    );
    return old;
  }
  let after: string[] = [];
  if (taken) {
    ctx.claim(taken.id);
    ctx.relink(person.sourceId, taken.id);
  } else {
    // Where accounts only come with the first sign-in, or none can be made now (no team to create
    // it on), the old account keeps the access until the new address has one.
    after = caps.userCreation === 'first-login' ? [] : ctx.createAccount(`${line}: new address of ${old.email}`);
    if (after.length === 0) {
      warnings.push(`${line}: the new address has no account yet; user ${old.id} kept until it has`);
      return old;
    }
  }
  ctx.claim(old.id);
  const protectedOld = ctx.protectedEmails.has(normaliseEmail(old.email));
  const fate = protectedOld
    ? 'kept (protected)'
    : policy.deprovision === 'none'
      ? 'kept (deprovision: none)'
      : `deprovisioned (${policy.deprovision})`;
  warnings.push(`${line}: the new address gets the person's teams; the old account is ${fate}`);
  if (!protectedOld && policy.deprovision !== 'none')
    ctx.retire(old, `${line}: old address (deprovision: ${policy.deprovision})`, after, taken?.id);
  return taken;
}
