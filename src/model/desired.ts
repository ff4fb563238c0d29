/** What the directory says the target should hold, after mapping. */
import type { ContainerType } from './target.js';

export interface DesiredTeam {
  /** The container's name in the target. */
  name: string;
  /** Stable key of what produced the team (group sourceId, or "name:<team>"): lets a renamed group rename its team. */
  key: string;
  /** @defaultValue 'team' */
  type?: ContainerType;
  /** Label of the containing org (teams in an org). */
  parent?: string;
  /** Label of the parent unit (units nest; absent for a top-level unit). */
  under?: string;
  /**
   * Unique among the desired containers; what DesiredPerson.teams and roles refer to. Defaults to the
   * name; a team in an org is labelled "org / team" so two orgs may each have a team of one name.
   */
  label?: string;
  /** Name of the one group the team comes from (key `group:<id>`): what the plan names once that group is gone. */
  group?: string;
  /**
   * The mapping.groups entry (group name or id) that names the team, when that group is missing from
   * the directory. Such a team is never created; where it exists the sync still manages it, as a team
   * whose group is gone.
   */
  gone?: string;
}

/** A role a rule gives a person, with the rule's reason ("member of Platform Admins"). */
export interface RoleGrant {
  role: string;
  reason: string;
}

export interface DesiredPerson {
  sourceId: string;
  email: string;
  displayName: string;
  givenName?: string;
  familyName?: string;
  /** Labels of the desired containers (teams, orgs) the person belongs in, sorted, deduplicated. */
  teams: string[];
  /** Roles the rules give, by scope: '' target-wide, else an org's label. Empty when no rule speaks. */
  roles?: Record<string, RoleGrant[]>;
  /** Why the person is in a team an attribute or condition rule gives (`department = Sales`), by label. */
  teamReasons?: ReadonlyMap<string, string>;
  /** The account name, where the target takes it from a source attribute (MapOptions.accountName). */
  accountName?: AccountName;
}

/**
 * A person's account name from a source attribute: its first value. Without a value (the person
 * lacks the attribute) no account is made for the person, and an existing one keeps its name.
 */
export interface AccountName {
  attribute: string;
  value?: string;
}

/**
 * Why a person the source read is not in scope, checked in this order (each person counts once):
 * disabled or locked (unless mapping.people.includeDisabled), named in mapping.people.exclude, an
 * email outside mapping.people.emailDomains, no team or role from any rule, no usable email, or
 * an email an earlier person already has; then mapping.people.where: a condition not met
 * (`filtered`), a start date not reached (`notStarted`), an end date passed (`ended`).
 */
export const OUT_OF_SCOPE = [
  'disabled',
  'locked',
  'excluded',
  'otherDomain',
  'noGroup',
  'noEmail',
  'duplicateEmail',
  'filtered',
  'notStarted',
  'ended',
] as const;
export type OutOfScope = (typeof OUT_OF_SCOPE)[number];

/** The people the source read, and how many of those out of scope are out for each reason. */
export interface PeopleScope {
  read: number;
  out: Partial<Record<OutOfScope, number>>;
}

export interface Desired {
  teams: DesiredTeam[];
  people: DesiredPerson[];
  /** Mapping problems (cycles, unknown groups) for the plan's warnings. */
  warnings: string[];
  /** How the people read became the people in scope (set by mapDirectory). */
  scope?: PeopleScope;
}

/** How the mapping must shape Desired for a target (from the target's capabilities and config). */
export interface MapOptions {
  /**
   * Set on targets with orgs: the org teams and roles belong to when a rule names none. People join
   * the orgs of their teams and roles; teams are labelled "org / team".
   */
  defaultOrg?: string;
  /** The target's container names ignore case: names that differ only in case are merged into one team. */
  caseInsensitiveNames?: boolean;
  /**
   * Containers are units that nest: `groups` mirrors the directory's group nesting (a unit's parent
   * is the unit of the nearest enclosing group that maps to one); `path` reads a team name
   * "A/B/C" as a path of units. Undefined: flat teams.
   */
  units?: 'groups' | 'path';
  /** Containers from direct group memberships only (roles still follow nesting). @defaultValue false */
  directMembership?: boolean;
  /** Now, for date conditions (start and end dates). @defaultValue Date.now() */
  now?: number;
  /** The zone dates are read in: the profile's schedule.timezone. @defaultValue 'UTC' */
  timeZone?: string;
  /**
   * A source attribute (listed in source.attributes) whose first value is each person's account
   * name (DesiredPerson.accountName), on a target that takes it from there. Undefined: none.
   */
  accountName?: string;
}

export const labelOf = (t: DesiredTeam): string => t.label ?? t.name;
