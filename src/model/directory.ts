/** What a source reads: people and groups, normalised. No ldapts, Graph or CSV shapes past here. */

export interface Person {
  /** Immutable id: entryUUID / objectGUID / Graph id / CSV key column. */
  sourceId: string;
  /** Trimmed; compare with normaliseEmail(). */
  email: string;
  displayName: string;
  givenName?: string;
  familyName?: string;
  enabled: boolean;
  /** Not enabled because of an account lock alone (OpenLDAP ppolicy): said apart from disabled. */
  locked?: boolean;
  /** Direct group memberships (group sourceIds). Transitive closure is the mapping's job. */
  groupIds: string[];
  /**
   * The attributes the profile's `source.attributes` lists, by the name given there (`department`,
   * `employeeOrgData.costCenter`): each a list of values, normalised (normaliseAttributeValue),
   * empty values dropped. An attribute the person has no value for is absent.
   */
  attributes?: Record<string, string[]>;
  /**
   * A joined person (several sources): which source gave each field (`enabled`, `email`, `names`,
   * `groups`, and each attribute by name), for `explain`.
   */
  from?: Record<string, string>;
}

export interface Group {
  sourceId: string;
  name: string;
  /** Groups this group is a member of (nesting). */
  parentIds: string[];
}

/** A problem found while reading: reported, never fatal on its own. */
export interface SourceIssue {
  /** e.g. "people.csv:14" or "cn=x,dc=example,dc=com". */
  where: string;
  reason: string;
}

/**
 * How a source names the issues of a read, one and many: a file skips rows ("row skipped", "rows
 * skipped"); a directory has entries with problems. Said in the plan's header and the log.
 */
export interface IssueWords {
  one: string;
  many: string;
}

/** A complete read of a directory. Sources only return one when the read provably finished. */
export interface Snapshot {
  people: Person[];
  groups: Group[];
  issues: SourceIssue[];
}

/** An attribute value as the mapping compares it: trimmed, inner whitespace collapsed to one space. */
export function normaliseAttributeValue(value: string): string {
  // Most values are already normal: testing is cheaper than rewriting each one.
  return NOT_NORMAL.test(value) ? value.replace(/\s+/g, ' ').trim() : value;
}
/** Whitespace at either end, a run of it, or any whitespace other than a plain space. */
const NOT_NORMAL = /^\s|\s$|\s\s|[^\S ]/;

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}
