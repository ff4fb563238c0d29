import type { MappingConfig } from '../config/schema.js';
import {
  labelOf,
  normaliseEmail,
  type Desired,
  type MapOptions,
  type DesiredPerson,
  type DesiredTeam,
  type Group,
  type OutOfScope,
  type PeopleScope,
  type Person,
  type RoleGrant,
  type Snapshot,
} from '../model/index.js';
import { compare, groupNesting, inherited, type Nesting } from './group-closure.js';
import { compileRoleRules, unmatchedRoleRules, type GroupRole } from './role-rules.js';
import { compileTeamRules } from './team-rules.js';
import { foldLabels, missingExplicitGroups } from './team-names.js';
import { nestUnits } from './unit-tree.js';
import { compilePersonRules, type RuleGrants } from './attribute-rules.js';
import { compileConditions, type ConditionContext, type Failed } from './conditions.js';

export type { MapOptions } from '../model/index.js';

/** How containers sit in orgs: `on` for a target with orgs (every team in one, by default the target's own). */
interface OrgPlacement {
  on: boolean;
  /** The org a rule names, else the default one. */
  of(named: string | undefined): string;
  /** A team's label: `org / team` on a target with orgs. */
  label(team: string, org: string | undefined): string;
}

/** Team labels before any container exists: the label each group maps to, and names folded by case. */
interface TeamLabels {
  specs: Map<string, { team: string; org: string | undefined }>;
  labelOfGroup: Map<string, string>;
  canonical: ReadonlyMap<string, string>;
  rawDefault: string | undefined;
  displays: ReadonlyMap<string, string>;
}

/** The containers the mapping produces (by label), and which groups produce each team. */
interface Containers {
  containers: Map<string, DesiredTeam>;
  /** Group id (or a person rule's producer, RuleTeam.producer) -> the label of its team. */
  teamOfGroup: Map<string, string>;
  producers: Map<string, string[]>;
  defaultLabel: string | undefined;
  /** A person rule's producer in words (`department = Sales`): what the plan names once it is gone. */
  displays: ReadonlyMap<string, string>;
}

/** What rules on people (attributes, conditions) and the scoping filter need, per person. */
interface People {
  /** The teams and roles attribute and condition rules give each person read, by sourceId. */
  grants: ReadonlyMap<string, RuleGrants>;
  /** mapping.people.where for one person: true, or the first condition not met. */
  where: (p: Person) => true | Failed;
}

/** The teams and the roles (by org) each group gives its members, directly or through nesting. */
interface Grants {
  teamsVia: ReadonlyMap<string, readonly string[]>;
  rolesVia: ReadonlyMap<string, readonly GroupRole[]>;
}

/**
 * Snapshot -> Desired: which containers must exist, and which containers and roles each in-scope
 * person has. Pure. Membership is transitive through nested groups; the output is sorted so plans
 * are stable. A person is in scope with at least one team or one role from a rule.
 */
export function mapDirectory(snapshot: Snapshot, mapping: MappingConfig, opts: MapOptions = {}): Desired {
  const warnings: string[] = [];
  const { byId, placement, made, grants, view } = prepare(snapshot, mapping, opts, warnings);
  const scope: PeopleScope = { read: snapshot.people.length, out: {} };
  const mapped = mapPeople(snapshot, mapping, placement, made, grants, view, warnings, scope);
  const people = opts.accountName === undefined ? mapped : withAccountNames(mapped, snapshot, opts.accountName);
  const teams = desiredTeams(made, byId);
  return opts.units
    ? { ...nestUnits({ teams, people, warnings }, opts.units, byId, made.teamOfGroup), scope }
    : { teams, people, warnings, scope };
}

/** Each person's account name: the first value of `attribute` (none when the person lacks it). */
function withAccountNames(people: DesiredPerson[], snapshot: Snapshot, attribute: string): DesiredPerson[] {
  const bySourceId = new Map(snapshot.people.map((p) => [p.sourceId, p]));
  return people.map((p) => {
    const value = bySourceId.get(p.sourceId)?.attributes?.[attribute]?.[0];
    return { ...p, accountName: value === undefined ? { attribute } : { attribute, value } };
  });
}

/** Everything mapPeople needs: groups by id, their nesting, org placement, containers and grants. */
function prepare(snapshot: Snapshot, mapping: MappingConfig, opts: MapOptions, warnings: string[]) {
  const groups = withUnknownGroups(snapshot, warnings);
  const nesting = groupNesting(groups);
  const byId = new Map<string, Group>();
  for (const g of groups) if (!byId.has(g.sourceId)) byId.set(g.sourceId, g);
  for (const cycle of nesting.cycles) {
    warnings.push(
      `group nesting cycle: ${cycle.map((id) => byId.get(id)!.name).join(', ')}: members of any of them count as members of all (the cycle is not followed round)`,
    );
  }
  const orgs = opts.defaultOrg !== undefined;
  const orgOf = (named: string | undefined) => named ?? opts.defaultOrg ?? '';
  if (!orgs && (mapping.rules.some((r) => r.org) || mapping.roles.some((r) => r.org))) {
    warnings.push('mapping names an org, but the target has no orgs: the org is ignored');
  }
  const placement: OrgPlacement = {
    on: orgs,
    of: orgOf,
    label: (team, org) => (orgs ? `${orgOf(org)} / ${team}` : team),
  };

  warnings.push(...unmatchedRoleRules(mapping, byId.values()));
  const view = peopleView(snapshot, mapping, nesting, byId, opts);
  const labels = teamLabels(byId, mapping, placement, opts, warnings, view);
  const made = containersOf(labels, byId, mapping, placement, opts, warnings, view);
  const grants = grantsOf(byId, nesting, mapping, made.teamOfGroup, opts);
  return { byId, nesting, placement, made, grants, view };
}

/**
 * Rules on people: each person's conditions see their attributes and their groups (ids and names,
 * direct and through nesting, built only when a condition names a group), now and the profile's zone.
 */
function peopleView(
  snapshot: Snapshot,
  mapping: MappingConfig,
  nesting: Nesting,
  byId: ReadonlyMap<string, Group>,
  opts: MapOptions,
): People {
  const rules = compilePersonRules(mapping);
  const filter = mapping.people.where.length > 0 ? compileConditions(mapping.people.where) : undefined;
  if (!rules && !filter) return { grants: new Map(), where: () => true };
  let closure: ReadonlyMap<string, readonly string[]> | undefined;
  const now = opts.now ?? Date.now();
  const timeZone = opts.timeZone ?? 'UTC';
  // One context, pointed at each person in turn: conditions run for one person at a time, and a
  // context (with its closure) per person and call was most of the garbage of a mapping.
  let current: Person | undefined;
  let groups: Set<string> | undefined;
  const ctx: ConditionContext = {
    groups: () => {
      if (groups) return groups;
      closure ??= inherited(nesting, (id) => [id, byId.get(id)?.name ?? id]);
      groups = new Set<string>();
      for (const g of current!.groupIds) for (const x of closure.get(g) ?? [g]) groups.add(x);
      return groups;
    },
    now,
    timeZone,
  };
  const ctxOf = (p: Person): ConditionContext => {
    if (p !== current) {
      current = p;
      groups = undefined;
    }
    return ctx;
  };
  const grants = new Map<string, RuleGrants>();
  if (rules) for (const p of snapshot.people) grants.set(p.sourceId, rules(p, ctxOf(p)));
  return { grants, where: filter ? (p) => filter(p, ctxOf(p)) : () => true };
}

const USABLE_EMAIL = /^[^\s@]+@[^\s@]+$/;

/** How the mapping treats one directory person (for `rostersync explain`). */
export interface PersonTrace {
  /** Why the person is not in the mapping's output; undefined when they are. */
  outOfScope?: string;
  /**
   * The team labels the person's groups give (before org and unit placement), each with the ids of
   * the groups (the person's own, or one they are in through nesting) that map to it; `default`
   * for the default team given to someone no rule places.
   */
  teams: { label: string; groupIds: string[]; rule?: string }[];
  default?: string;
}

/**
 * One person through the same steps as mapDirectory: the scope filter, the teams each of their
 * groups gives, and the checks after (no team nor role, no usable email, an email already taken).
 * Undefined when no directory person has this sourceId.
 */
export function tracePerson(
  snapshot: Snapshot,
  mapping: MappingConfig,
  opts: MapOptions,
  sourceId: string,
): PersonTrace | undefined {
  const person = snapshot.people.find((p) => p.sourceId === sourceId);
  if (!person) return undefined;
  const warnings: string[] = [];
  const { nesting, placement, made, grants, view } = prepare(snapshot, mapping, opts, warnings);
  const filtered = excludedBecause(mapping, view.where)(person);
  if (filtered !== undefined) return { outOfScope: filtered, teams: [] };
  const closure = opts.directMembership
    ? new Map(person.groupIds.map((g) => [g, [g]]))
    : inherited(nesting, (id) => [id]);
  const byLabel = new Map<string, Set<string>>();
  for (const g of person.groupIds)
    for (const id of closure.get(g) ?? [g]) {
      const label = made.teamOfGroup.get(id);
      if (label !== undefined) (byLabel.get(label) ?? byLabel.set(label, new Set()).get(label)!).add(id);
    }
  const teams: PersonTrace['teams'] = [...byLabel].map(([label, ids]) => ({ label, groupIds: [...ids].sort(compare) }));
  // Teams and roles of rules on attributes and conditions, with the rule's reason.
  const ruled = view.grants.get(person.sourceId);
  for (const t of ruled?.teams ?? []) {
    const label = made.teamOfGroup.get(t.producer);
    if (label !== undefined && !teams.some((x) => x.label === label))
      teams.push({ label, groupIds: [], rule: t.reason });
  }
  const roles =
    (ruled?.roles.length ?? 0) > 0 || person.groupIds.some((g) => (grants.rolesVia.get(g) ?? []).length > 0);
  const dflt = teams.length === 0 ? made.defaultLabel : undefined;
  const out: PersonTrace = { teams, ...(dflt !== undefined ? { default: dflt } : {}) };
  if (teams.length === 0 && dflt === undefined && !roles)
    return {
      ...out,
      outOfScope:
        'no rule gives them a team or a role (none of their groups, direct or through nesting, nor their attributes), and there is no default team',
    };
  if (!USABLE_EMAIL.test(person.email.trim())) return { ...out, outOfScope: 'no usable email' };
  const people = mapPeople(snapshot, mapping, placement, made, grants, view, warnings, { read: 0, out: {} });
  const holder = people.find((p) => normaliseEmail(p.email) === normaliseEmail(person.email));
  if (holder && holder.sourceId !== person.sourceId)
    return { ...out, outOfScope: `same email as directory person ${holder.sourceId}, who is synced instead` };
  return out;
}

function teamLabels(
  byId: ReadonlyMap<string, Group>,
  mapping: MappingConfig,
  placement: OrgPlacement,
  opts: MapOptions,
  warnings: string[],
  view: People,
): TeamLabels {
  const rules = compileTeamRules(mapping);
  const labelFor = placement.label;
  // First every label the rules produce, so names that differ only in case can be merged before
  // any container exists.
  const specs = new Map<string, { team: string; org: string | undefined }>();
  const labelOfGroup = new Map<string, string>();
  const groupNames = new Map<string, string[]>();
  for (const [id, group] of byId) {
    const t = rules.teamFor(group);
    if (t === undefined) continue;
    const label = labelFor(t.team, t.org);
    if (!specs.has(label)) specs.set(label, { team: t.team, org: t.org });
    labelOfGroup.set(id, label);
    groupNames.set(label, [...(groupNames.get(label) ?? []), group.name]);
  }
  // Teams of rules on people: one per producer (an attribute value, a condition rule), like a group's.
  const displays = new Map<string, string>();
  for (const g of view.grants.values())
    for (const t of g.teams) {
      if (labelOfGroup.has(t.producer)) continue;
      const label = labelFor(t.team, t.org);
      if (!specs.has(label)) specs.set(label, { team: t.team, org: t.org });
      labelOfGroup.set(t.producer, label);
      displays.set(t.producer, t.display);
      groupNames.set(label, [...(groupNames.get(label) ?? []), t.display]);
    }
  const rawDefault = mapping.defaultTeam === undefined ? undefined : labelFor(mapping.defaultTeam, undefined);
  if (rawDefault !== undefined && !specs.has(rawDefault)) {
    specs.set(rawDefault, { team: mapping.defaultTeam!, org: undefined });
    groupNames.set(rawDefault, []);
  }
  const canonical = foldLabels(groupNames, opts.caseInsensitiveNames === true, warnings);
  return { specs, labelOfGroup, canonical, rawDefault, displays };
}

/** Every container the labels name (teams and their orgs, the orgs roles name), and the teams of missing mapping.groups. */
function containersOf(
  { specs, labelOfGroup, canonical, rawDefault, displays }: TeamLabels,
  byId: ReadonlyMap<string, Group>,
  mapping: MappingConfig,
  placement: OrgPlacement,
  opts: MapOptions,
  warnings: string[],
  view: People,
): Containers {
  const { on: orgs, of: orgOf, label: labelFor } = placement;
  const teamOfGroup = new Map<string, string>();
  const containers = new Map<string, DesiredTeam>();
  const producers = new Map<string, string[]>();
  const addOrg = (org: string) => {
    if (!containers.has(org)) containers.set(org, { name: org, key: `org:${org}`, type: 'org', label: org });
  };
  const addTeam = (label: string, extra: Partial<DesiredTeam> = {}) => {
    if (containers.has(label)) return;
    const spec = specs.get(label)!;
    if (orgs) addOrg(orgOf(spec.org));
    containers.set(label, { name: spec.team, key: '', label, ...(orgs ? { parent: orgOf(spec.org) } : {}), ...extra });
  };
  for (const [id, raw] of labelOfGroup) {
    const label = canonical.get(raw)!;
    addTeam(label);
    teamOfGroup.set(id, label);
    const from = producers.get(label);
    if (from) from.push(id);
    else producers.set(label, [id]);
  }
  const defaultLabel = rawDefault === undefined ? undefined : canonical.get(rawDefault)!;
  if (defaultLabel !== undefined) addTeam(defaultLabel);
  // A team named in mapping.groups whose group is missing (deleted, or never there) stays managed
  // where it exists, like a team whose linked group disappeared; it is never created.
  for (const [entry, team] of missingExplicitGroups(mapping.groups, byId.values())) {
    const label = labelFor(team, undefined);
    const fold = (l: string) => (opts.caseInsensitiveNames ? l.toLowerCase() : l);
    const why = `group "${entry}" named in mapping.groups is not in the directory`;
    const same = [...containers.entries()].find(([l]) => fold(l) === fold(label))?.[1];
    if (same !== undefined) {
      if (same.gone === undefined) warnings.push(`${why}; team "${team}" still comes from other groups`);
      continue;
    }
    warnings.push(`${why}: team "${team}" is managed as a team whose group is gone`);
    specs.set(label, { team, org: undefined });
    addTeam(label, { gone: entry });
  }
  for (const r of mapping.roles) if (orgs && (r.org === undefined || !r.org.includes('$'))) addOrg(orgOf(r.org));
  // An org a role rule takes from an attribute (`org: ${value}`): each value given exists as an org.
  if (orgs) for (const g of view.grants.values()) for (const r of g.roles) addOrg(orgOf(r.org));
  return { containers, teamOfGroup, producers, defaultLabel, displays };
}

function grantsOf(
  byId: ReadonlyMap<string, Group>,
  nesting: Nesting,
  mapping: MappingConfig,
  teamOfGroup: ReadonlyMap<string, string>,
  opts: MapOptions,
): Grants {
  const own = (id: string) => {
    const t = teamOfGroup.get(id);
    return t === undefined ? [] : [t];
  };
  // Direct membership: a person is in the containers of their own groups only (roles still nest).
  const teamsVia = opts.directMembership
    ? new Map([...byId.keys()].map((id) => [id, own(id)]))
    : inherited(nesting, own);
  const roleRules = compileRoleRules(mapping);
  const rolesVia = inherited(nesting, (id) => roleRules(byId.get(id)!));
  return { teamsVia, rolesVia };
}

/**
 * The people in scope with their containers and roles, sorted by email; one person per email.
 * Each person left out is counted in `scope.out` under the reason (OUT_OF_SCOPE order).
 */
function mapPeople(
  snapshot: Snapshot,
  mapping: MappingConfig,
  { on: orgs, of: orgOf }: OrgPlacement,
  { containers, defaultLabel, teamOfGroup }: Containers,
  { teamsVia, rolesVia }: Grants,
  view: People,
  warnings: string[],
  scope: PeopleScope,
): DesiredPerson[] {
  const badDates = new Map<string, string[]>();
  const filteredOut = personFilter(mapping, view.where, badDates);
  const leaveOut = (why: OutOfScope) => void (scope.out[why] = (scope.out[why] ?? 0) + 1);
  const people: DesiredPerson[] = [];
  const byEmail = new Map<string, string>();
  const noEmail: string[] = [];
  for (const person of [...snapshot.people].sort((a, b) => compare(a.sourceId, b.sourceId))) {
    const why = filteredOut(person);
    if (why !== undefined) {
      leaveOut(why);
      continue;
    }
    const teams = new Set<string>();
    const roles: Record<string, RoleGrant[]> = {};
    for (const g of person.groupIds) {
      for (const t of teamsVia.get(g) ?? []) teams.add(t);
      for (const r of rolesVia.get(g) ?? [])
        (roles[orgs ? orgOf(r.org) : ''] ??= []).push({ role: r.role, reason: r.reason });
    }
    const teamReasons = addRuleGrants(view.grants.get(person.sourceId), teamOfGroup, teams, (r) =>
      (roles[orgs ? orgOf(r.org) : ''] ??= []).push({ role: r.role, reason: r.reason }),
    );
    if (teams.size === 0 && defaultLabel !== undefined) teams.add(defaultLabel);
    if (teams.size === 0 && Object.keys(roles).length === 0) {
      leaveOut('noGroup');
      continue;
    }
    const email = person.email.trim();
    if (!USABLE_EMAIL.test(email)) {
      noEmail.push(person.sourceId);
      leaveOut('noEmail');
      continue;
    }
    const key = normaliseEmail(email);
    const kept = byEmail.get(key);
    if (kept !== undefined) {
      warnings.push(`${email}: same email as directory person ${kept}; ${person.sourceId} skipped`);
      leaveOut('duplicateEmail');
      continue;
    }
    byEmail.set(key, person.sourceId);
    if (orgs) {
      // A person belongs in the org of each of their teams and roles.
      for (const t of [...teams]) teams.add(containers.get(t)!.parent!);
      for (const org of Object.keys(roles)) teams.add(org);
    }
    if (mapping.defaultRole !== undefined) {
      const scopes = orgs ? [...teams].filter((t) => containers.get(t)?.type === 'org') : [''];
      for (const s of scopes) if (!roles[s]) roles[s] = [{ role: mapping.defaultRole, reason: 'default role' }];
    }
    people.push({
      sourceId: person.sourceId,
      email,
      displayName: person.displayName.trim() || email,
      ...(person.givenName ? { givenName: person.givenName } : {}),
      ...(person.familyName ? { familyName: person.familyName } : {}),
      teams: [...teams].sort(compare),
      ...(Object.keys(roles).length > 0 ? { roles: dedupeRoles(roles) } : {}),
      ...(teamReasons.size > 0 ? { teamReasons } : {}),
    });
  }
  warnings.push(...badDateWarnings(badDates));
  if (noEmail.length > 0) {
    warnings.push(`${noEmail.length} person(s) without a usable email skipped (${sample(noEmail)})`);
  }
  people.sort((a, b) => compare(normaliseEmail(a.email), normaliseEmail(b.email)));
  return people;
}

function desiredTeams(
  { containers, producers, defaultLabel, displays }: Containers,
  byId: ReadonlyMap<string, Group>,
): DesiredTeam[] {
  // Every container the mapping produces must exist, members or not: a team whose group emptied
  // stays managed, so the people who left the group are removed from it.
  return [...containers.values()]
    .sort((a, b) => compare(labelOf(a), labelOf(b)))
    .map((t) => {
      if (t.type === 'org') return t;
      const label = labelOf(t);
      const from = producers.get(label);
      // One producing group: keyed by it, so renaming the group renames the team. One attribute
      // value: keyed by attribute and value (`attr:department=Sales`), so the team follows the value.
      const one = from?.length === 1 && label !== defaultLabel ? from[0]! : undefined;
      const byRule = one !== undefined && displays.has(one);
      const key =
        one === undefined || (byRule && !one.startsWith('attr:')) ? `name:${label}` : byRule ? one : `group:${one}`;
      const out: DesiredTeam = { name: t.name, key, ...(t.parent !== undefined ? { parent: t.parent } : {}) };
      if (label !== t.name) out.label = label;
      if (key.startsWith('group:')) out.group = byId.get(one!)!.name;
      else if (key.startsWith('attr:')) out.group = displays.get(one!)!;
      if (t.gone !== undefined) out.gone = t.gone;
      return out;
    });
}

/**
 * The teams and roles rules on attributes and conditions give a person, added to what their groups
 * gave; returns why each such team is theirs (`department = Sales`), by label.
 */
function addRuleGrants(
  ruled: RuleGrants | undefined,
  teamOfGroup: ReadonlyMap<string, string>,
  teams: Set<string>,
  addRole: (r: RuleGrants['roles'][number]) => void,
): Map<string, string> {
  const reasons = new Map<string, string>();
  for (const t of ruled?.teams ?? []) {
    const label = teamOfGroup.get(t.producer);
    if (label === undefined) continue;
    teams.add(label);
    if (!reasons.has(label)) reasons.set(label, t.reason);
  }
  for (const r of ruled?.roles ?? []) addRole(r);
  return reasons;
}

/** One line per condition, naming the first people: a wrong column would otherwise give a line per person. */
function badDateWarnings(badDates: ReadonlyMap<string, string[]>): string[] {
  return [...badDates].map(([condition, who]) =>
    who.length === 1
      ? `${who[0]}: left out of scope (${condition}, mapping.people.where)`
      : `${who.length} people have a value that is not a date (${condition}, mapping.people.where): left out of scope (${who.slice(0, 3).join('; ')}${who.length > 3 ? '; …' : ''})`,
  );
}

/** One grant per role (the first rule's reason), rule order kept. */
function dedupeRoles(roles: Record<string, RoleGrant[]>): Record<string, RoleGrant[]> {
  const out: Record<string, RoleGrant[]> = {};
  for (const [scope, grants] of Object.entries(roles)) {
    const seen = new Set<string>();
    out[scope] = grants.filter((g) => !seen.has(g.role) && seen.add(g.role));
  }
  return out;
}

/** mapping.people: why a person is left out before any rule looks at them, or undefined when not. */
function personFilter(
  mapping: MappingConfig,
  where: People['where'],
  badDates?: Map<string, string[]>,
): (p: Person) => OutOfScope | undefined {
  const domains = new Set(mapping.people.emailDomains.map((d) => d.trim().toLowerCase().replace(/^@/, '')));
  const excluded = new Set(mapping.people.exclude.map(normaliseEmail));
  return (p) => {
    if (!p.enabled && !mapping.people.includeDisabled) return p.locked ? 'locked' : 'disabled';
    const email = normaliseEmail(p.email);
    if (excluded.has(email)) return 'excluded';
    if (domains.size > 0 && !domains.has(email.slice(email.lastIndexOf('@') + 1))) return 'otherDomain';
    const met = where(p);
    if (met === true) return undefined;
    // A date that does not parse never brings anyone in, and is named so it gets fixed.
    if (met.badDate !== undefined && badDates) {
      // Pushed, not copied: a whole file can carry dates in a format that does not parse.
      let who = badDates.get(met.condition);
      if (!who) badDates.set(met.condition, (who = []));
      who.push(`${p.email || p.sourceId}: "${met.badDate}" is not a date`);
    }
    return met.date ?? 'filtered';
  };
}

/** The scope filter in words (for `rostersync explain`): why a person is left out before any group is looked at. */
export function excludedBecause(
  mapping: MappingConfig,
  where: People['where'] = () => true,
): (p: Person) => string | undefined {
  const filter = personFilter(mapping, where);
  const domains = mapping.people.emailDomains.map((d) => d.trim().toLowerCase().replace(/^@/, ''));
  return (p) => {
    const why = filter(p);
    if (why === undefined) return undefined;
    const email = normaliseEmail(p.email);
    const words: Partial<Record<OutOfScope, string>> = {
      disabled: 'disabled in the directory (mapping.people.includeDisabled is off)',
      locked: 'locked in the directory (mapping.people.includeDisabled is off)',
      excluded: 'excluded by mapping.people.exclude',
      otherDomain: `email domain "${email.slice(email.lastIndexOf('@') + 1)}" is not in mapping.people.emailDomains (${domains.join(', ')})`,
    };
    const met = where(p);
    if (met !== true)
      return met.badDate !== undefined
        ? `mapping.people.where: "${met.badDate}" is not a date (${met.condition})`
        : `mapping.people.where: not met: ${met.condition}`;
    return words[why] ?? why;
  };
}

/**
 * A group id used by a person or as a parent but absent from the group list is kept with its id
 * as its name (so explicit maps by id, and rules on sources whose ids are names, still work), with
 * one warning. Sources that list no groups at all use names as ids: no warning then.
 */
function withUnknownGroups(snapshot: Snapshot, warnings: string[]): Group[] {
  const known = new Set(snapshot.groups.map((g) => g.sourceId));
  const extra = new Set<string>();
  const note = (id: string) => {
    if (!known.has(id)) extra.add(id);
  };
  for (const p of snapshot.people) for (const g of p.groupIds) note(g);
  for (const g of snapshot.groups) for (const parent of g.parentIds) note(parent);
  if (extra.size > 0 && snapshot.groups.length > 0) {
    warnings.push(
      `${extra.size} group(s) referenced but not listed (${sample([...extra])}): kept with their id as name`,
    );
  }
  return [...snapshot.groups, ...[...extra].map((id) => ({ sourceId: id, name: id, parentIds: [] }))];
}

function sample(ids: string[]): string {
  const sorted = [...ids].sort(compare);
  return sorted.slice(0, 5).join(', ') + (sorted.length > 5 ? ', …' : '');
}
