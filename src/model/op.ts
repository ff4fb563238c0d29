/** One API call the plan asks for. `key` is stable across runs: it is the op's identity in the queue. */
import type { Grant, GrantSubject, ResourceRef } from './access.js';
import type { ContainerType } from './target.js';

export interface TeamRef {
  /** Known when the container exists; absent for one created by this plan (resolved at apply time by name). */
  id?: string;
  name: string;
  /** @defaultValue 'team' */
  type?: ContainerType;
  /** The org a team lives in (its id is known: orgs are never created by a plan). */
  parent?: TeamRef & { id: string };
  /** The desired container's key: resolves an id created earlier in the run through the identity links. */
  key?: string;
  /** The parent unit of a unit (units nest; the parent may be created by the same plan). */
  under?: { id?: string; key: string; name: string };
}

export interface UserRef {
  id?: string;
  /** Directory id, when the user comes from the source. */
  sourceId?: string;
  email: string;
  /**
   * The account name from a source attribute (DesiredPerson.accountName), on a target that takes
   * one: set on the create, and on the setUser that changes it in place.
   */
  accountName?: string;
}

/**
 * A member of a whole-container write. `after`: the ops that give this member an account (or the
 * org place) the write needs; the write waits for their outcomes and leaves the member out if one
 * did not succeed, so one failed account never holds back the container's other changes.
 */
export interface ListedMember extends UserRef {
  after?: string[];
}

/** What one person-level (or team-level) change is, for the audit and the run's list of changes. */
export type ChangeAction =
  | 'user.create'
  | 'user.update'
  | 'user.enable'
  | 'user.disable'
  | 'user.delete'
  | 'membership.add'
  | 'membership.remove'
  | 'role.change'
  | 'team.create'
  | 'team.rename'
  | 'team.delete'
  | 'grant.add'
  | 'grant.change'
  | 'grant.remove'
  /** A whole member list written by a plan of an earlier version, which did not say who changed. */
  | 'team.members';

/**
 * One change an op makes, in the terms an auditor asks about: who, what object, before -> after,
 * and why. An op makes one or several (a whole-list write: one per member it adds or removes).
 */
export interface Change {
  action: ChangeAction;
  /** The person's email; absent for a change to a team alone. */
  person?: string;
  /** The team, org or unit (with its org), the account itself, or the scope of a role. */
  object: {
    type: 'team' | 'org' | 'unit' | 'account' | 'target' | 'dashboard' | 'datasource' | 'folder';
    name: string;
    id?: string;
    org?: string;
  };
  /** A grant change: the team it is for (the object is the resource). */
  team?: string;
  before?: string;
  after?: string;
  reason: string;
}

interface OpBase {
  key: string;
  reason: string;
  /** Keys of ops that must succeed first (a failed op fails only its dependants). */
  dependsOn: string[];
}

export type Op =
  | (OpBase & { kind: 'createTeam'; team: TeamRef; teamKey: string })
  | (OpBase & { kind: 'renameTeam'; team: TeamRef & { id: string }; from: string; teamKey: string })
  | (OpBase & {
      kind: 'createUser';
      user: UserRef;
      displayName: string;
      team?: TeamRef;
      role?: string;
      /** Where one call creates the whole user: every container and every role, and the names. */
      teams?: TeamRef[];
      roles?: string[];
      givenName?: string;
      familyName?: string;
    })
  /** Per-call membership; `role` is given when the container is an org (a user joins it with a role). */
  | (OpBase & { kind: 'addMember'; user: UserRef; team: TeamRef; role?: string })
  | (OpBase & { kind: 'removeMember'; user: UserRef & { id: string }; team: TeamRef & { id: string } })
  /** Whole-container membership: the container's complete member list in one call. */
  | (OpBase & {
      kind: 'setMembers';
      team: TeamRef;
      members: ListedMember[];
      added: number;
      removed: number;
      /** Members who keep the container's admin permission. */ admins?: UserRef[];
      /** Who joins and who leaves, and why (the folded per-member ops): for the audit. */
      changes?: Change[];
      /**
       * Ids of current members left out of the list because the same plan deletes their account (or
       * takes them out of the org): a target that writes only the difference leaves them to that op.
       */
      departing?: string[];
    })
  /** A user's role(s) in a scope (`team` is the org, absent for target-wide roles). */
  | (OpBase & {
      kind: 'setRole';
      user: UserRef & { id: string };
      team?: TeamRef & { id: string };
      from: string[];
      to: string[];
    })
  /**
   * Whole-user write: the user's complete container list and role list, and names, in one call.
   * An absent field is left as it is; a given list replaces the user's list.
   */
  | (OpBase & {
      kind: 'setUser';
      user: UserRef & { id: string };
      teams?: TeamRef[];
      roles?: string[];
      givenName?: string;
      familyName?: string;
      /** The person's new address, on a target that changes it in place (`user.email` is the old one). */
      email?: string;
      /** Containers joined and left, and whether roles change: for the plan's summary. */
      added: number;
      removed: number;
      from?: string[];
      /** Ids of the containers the user leaves: their grants (for `membership: additive`) go. */
      left?: string[];
      /** The folded per-call changes (joins, leaves, role, name) and why: for the audit. */
      changes?: Change[];
    })
  | (OpBase & { kind: 'deleteUser'; user: UserRef & { id: string } })
  /** A disabled account back in use; `role` is set in the same call when the rules changed it meanwhile. */
  | (OpBase & { kind: 'enableUser'; user: UserRef & { id: string }; role?: string })
  /** Deprovisioning that keeps the account (a returning person is re-enabled, not invited again). */
  | (OpBase & { kind: 'disableUser'; user: UserRef & { id: string } })
  | (OpBase & { kind: 'deleteTeam'; team: TeamRef & { id: string } })
  /** One managed team's level on one resource, set alone (created, or changed from `from`). */
  | (OpBase & {
      kind: 'setGrant';
      resource: ResourceRef;
      team: TeamRef;
      level: string;
      from?: string;
      /** The existing permission's id, where the target changes it by id. */
      permissionId?: string;
    })
  /** One managed team's grant on one resource, removed alone. */
  | (OpBase & {
      kind: 'removeGrant';
      resource: ResourceRef;
      team: TeamRef & { id: string };
      level: string;
      permissionId?: string;
    })
  /**
   * A resource's whole permission list in one write: the grants the sync does not own exactly as
   * read (`kept`), and the managed teams' levels (`teams`, ids resolved at apply time for new teams).
   */
  | (OpBase & {
      kind: 'setGrants';
      resource: ResourceRef;
      kept: Grant[];
      teams: { team: TeamRef; level: string }[];
      /** Each team's grant added, changed or removed, and why: for the audit. */
      changes: Change[];
    });

export type { Grant, GrantSubject, ResourceRef };

export type OpKind = Op['kind'];

/** The op of one kind (or of several). */
export type OpOf<K extends OpKind> = Extract<Op, { kind: K }>;

/** Phase order: each phase drains before the next starts (an op also waits for its own dependsOn). */
export const PHASES: readonly OpKind[][] = [
  ['createTeam', 'renameTeam'],
  ['createUser', 'enableUser'],
  // Grants are removed before any is added, so a resource at its limit (e.g. 100 per resource) has room.
  ['addMember', 'setMembers', 'setRole', 'setUser', 'removeGrant'],
  ['removeMember', 'setGrant', 'setGrants'],
  ['deleteUser', 'disableUser'],
  ['deleteTeam'],
];

export const OP_KINDS: readonly OpKind[] = PHASES.flat();

export function phaseOf(kind: OpKind): number {
  return PHASES.findIndex((p) => p.includes(kind)) + 1;
}

/** Ops that remove access: what the deletion guard and the review counts look at. */
export const isRemoval = (op: Op): boolean =>
  op.kind === 'removeMember' ||
  op.kind === 'removeGrant' ||
  op.kind === 'deleteUser' ||
  op.kind === 'disableUser' ||
  op.kind === 'deleteTeam';
