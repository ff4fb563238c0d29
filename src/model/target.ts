/**
 * What a target holds (Actual), normalised, and what it can do (capabilities). Every target plug-in
 * reads into these shapes; its rules arrive as data on the records (a container that must keep a
 * member, a user never to touch), so the planner enforces them without knowing which target it is.
 * Ids are strings so any target fits.
 */
import type { AccessCapabilities, TargetResource } from './access.js';

/** Flat teams, orgs (a user holds one role per org; teams live in an org), or a tree of units. */
export type ContainerType = 'team' | 'org' | 'ou';

export interface TargetUser {
  id: string;
  email: string;
  displayName: string;
  /** Containers the user is a member of (teams, orgs, units). */
  teamIds: string[];
  /** Roles held, by scope: '' for target-wide roles, else the id of the org container they apply in. */
  roles?: Record<string, string[]>;
  /** Never changed, removed or deleted by a sync (e.g. a server admin, the API key's own user): why. */
  untouchable?: string;
  /** Invited or pending: provisioned, not yet active. */
  status?: 'active' | 'pending' | 'disabled';
  /** First and last name, on targets that keep them apart (and let the sync update them). */
  givenName?: string;
  familyName?: string;
  /** The account name, on a target that takes it from a source attribute (MapOptions.accountName). */
  accountName?: string;
}

export interface TargetTeam {
  id: string;
  name: string;
  /** @defaultValue 'team' */
  type?: ContainerType;
  /** The containing org or parent unit (absent for a top-level unit). */
  parentId?: string;
  /** Must always keep one member; managed only when the mapping names it; never renamed or deleted. */
  keepsMember?: boolean;
  /** Never managed (users cannot be added through the API): why. */
  unmanaged?: string;
  memberIds: string[];
  /** Members holding the container's own admin permission (team admins): whole-list writes keep it. */
  adminIds?: string[];
}

export interface Actual {
  users: TargetUser[];
  /** Every container: teams, orgs and units. */
  teams: TargetTeam[];
  /**
   * True when `users` lists every account of the target, not only members of the containers read:
   * a person missing from it has no account (and waits for a first login where users cannot be created).
   * @defaultValue true
   */
  allUsersListed?: boolean;
  /**
   * The resources access rules can reach, with their grants (read only when a profile has `access`
   * rules, and only the resources some rule can match).
   */
  resources?: TargetResource[];
}

export interface RoleCapabilities {
  /** Role names from lowest to highest rank (for "one role": the highest wins). */
  names: string[];
  /** One role per user per scope or several. */
  many: boolean;
  /** Roles apply target-wide, or per org container. */
  scope: 'target' | 'org';
  /** Given on creation or on joining an org when no rule names a role. */
  default: string;
  /** Every scope keeps at least one user holding this role (an org keeps an Admin). */
  keepOne?: string;
  /**
   * A user may hold no role at all: deprovisioning without deletion strips the user's roles along
   * with the managed containers. @defaultValue false
   */
  removable?: boolean;
  /** Role names match without regard to case. */
  caseInsensitive?: boolean;
}

/** What a target can do: the planner reads these, never the target's kind. */
export interface TargetCapabilities {
  maxUsers: number;
  maxTeams: number;
  /**
   * How users come to exist: created with one initial container, created on their own,
   * invited, or only by signing in (SSO creates them at first login).
   */
  userCreation: 'with-container' | 'plain' | 'invite' | 'first-login';
  /** Removing a user's last container is refused; delete the user instead. */
  userNeedsOneTeam: boolean;
  /** Container types this target has, and which the sync may create. */
  containers: {
    types: ContainerType[];
    creatable: ContainerType[];
    renamable: boolean;
    deletable: boolean;
    /**
     * Where containers cannot be renamed or moved: a renamed or moved group gets a new container
     * (the old one is emptied and reported) instead of keeping the old one. @defaultValue false
     */
    recreateRenamed?: boolean;
  };
  /**
   * How membership is written: one call per (user, container), a whole container's list at once, or
   * a whole user at once (the user's container list, role list and names in one write).
   */
  membership: 'per-call' | 'whole-container' | 'whole-user';
  /**
   * First and last names can be changed after creation: the sync keeps them equal to the directory.
   * @defaultValue false
   */
  updatableNames?: boolean;
  roles?: RoleCapabilities;
  /** Container names compare without regard to case (uniqueness and matching). */
  caseInsensitiveNames: boolean;
  /** Longest container name the target accepts. */
  maxNameLength?: number;
  /**
   * What an email change takes: the target updates the user's address ('in-place'), or the address
   * is fixed at creation and the person needs a new account ('recreate').
   * @defaultValue 'recreate'
   */
  emailChange?: 'in-place' | 'recreate';
  /**
   * Users can be disabled and enabled again, keeping their account: deprovisioning may disable, and
   * a returning person's disabled account is enabled rather than a new one created.
   * @defaultValue false
   */
  userStatus?: boolean;
  /** Permissions on resources (access as code); absent where the target has none. */
  access?: AccessCapabilities;
}
