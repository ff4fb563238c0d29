import type { MappingConfig } from '../config/schema.js';
import { normaliseEmail, type Desired, type DesiredPerson, type DesiredTeam, type Group, type Person, type Snapshot } from '../model/index.js';
import { groupClosure } from './group-closure.js';
import { compileTeamRules } from './team-rules.js';

/**
 * Snapshot -> Desired: which teams must exist and which teams each in-scope person belongs to.
 * Pure. Membership is transitive through nested groups; the output is sorted so plans are stable.
 */
export function mapDirectory(snapshot: Snapshot, mapping: MappingConfig): Desired {
  const warnings: string[] = [];
  const groups = withUnknownGroups(snapshot, warnings);
  const { ancestors, cycles } = groupClosure(groups);
  for (const c of cycles) warnings.push(`group nesting cycle: ${c} (cut, not followed)`);

  const rules = compileTeamRules(mapping);
  const teamOfGroup = new Map<string, string>();
  const producers = new Map<string, Set<string>>();
  for (const g of groups) {
    const team = rules.teamFor(g);
    if (team === undefined) continue;
    teamOfGroup.set(g.sourceId, team);
    let set = producers.get(team);
    if (!set) producers.set(team, (set = new Set()));
    set.add(g.sourceId);
  }
  // Teams of each group including its ancestors', computed once per group.
  const teamsViaGroup = new Map<string, string[]>();
  for (const [id, ups] of ancestors) {
    const names = new Set<string>();
    for (const a of ups) {
      const t = teamOfGroup.get(a);
      if (t !== undefined) names.add(t);
    }
    teamsViaGroup.set(id, [...names]);
  }

  const inScope = personFilter(mapping);
  const people: DesiredPerson[] = [];
  const byEmail = new Map<string, DesiredPerson>();
  const sorted = [...snapshot.people].sort((a, b) => (a.sourceId < b.sourceId ? -1 : a.sourceId > b.sourceId ? 1 : 0));
  for (const person of sorted) {
    if (!inScope(person)) continue;
    const teams = new Set<string>();
    for (const g of person.groupIds) for (const t of teamsViaGroup.get(g) ?? []) teams.add(t);
    if (teams.size === 0 && mapping.defaultTeam) teams.add(mapping.defaultTeam);
    if (teams.size === 0) continue;
    const email = person.email.trim();
    const key = normaliseEmail(email);
    const clash = byEmail.get(key);
    if (clash) {
      warnings.push(`${email}: also the email of directory person ${clash.sourceId}; ${person.sourceId} skipped`);
      continue;
    }
    const desired: DesiredPerson = { sourceId: person.sourceId, email, displayName: person.displayName || email, teams: [...teams].sort() };
    byEmail.set(key, desired);
    people.push(desired);
  }
  people.sort((a, b) => (normaliseEmail(a.email) < normaliseEmail(b.email) ? -1 : 1));

  const used = new Set(people.flatMap((p) => p.teams));
  const teams: DesiredTeam[] = [...used].sort().map((name) => {
    const from = producers.get(name);
    // One producing group: keyed by it, so renaming the group renames the team.
    return { name, key: from && from.size === 1 ? `group:${[...from][0]}` : `name:${name}` };
  });
  return { teams, people, warnings };
}

function personFilter(mapping: MappingConfig): (p: Person) => boolean {
  const domains = new Set(mapping.people.emailDomains.map((d) => d.trim().toLowerCase().replace(/^@/, '')));
  const excluded = new Set(mapping.people.exclude.map(normaliseEmail));
  return (p) => {
    if (!p.enabled && !mapping.people.includeDisabled) return false;
    const email = normaliseEmail(p.email);
    if (excluded.has(email)) return false;
    if (domains.size > 0 && !domains.has(email.slice(email.lastIndexOf('@') + 1))) return false;
    return true;
  };
}

/** A group id used by a person or as a parent but absent from the group list: kept by id as its name, with a warning. */
function withUnknownGroups(snapshot: Snapshot, warnings: string[]): Group[] {
  const known = new Set(snapshot.groups.map((g) => g.sourceId));
  const extra = new Map<string, Group>();
  const note = (id: string) => {
    if (known.has(id) || extra.has(id)) return;
    extra.set(id, { sourceId: id, name: id, parentIds: [] });
  };
  for (const p of snapshot.people) for (const g of p.groupIds) note(g);
  for (const g of snapshot.groups) for (const parent of g.parentIds) note(parent);
  if (extra.size > 0 && snapshot.groups.length > 0) {
    warnings.push(`${extra.size} group(s) referenced but not listed (${[...extra.keys()].slice(0, 5).join(', ')}${extra.size > 5 ? ', …' : ''}): matched by id as their name`);
  }
  return [...snapshot.groups, ...extra.values()];
}
