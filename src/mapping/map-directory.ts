import type { MappingConfig } from '../config/schema.js';
import { normaliseEmail, type Desired, type DesiredPerson, type DesiredTeam, type Group, type Person, type Snapshot } from '../model/index.js';
import { compare, groupNesting, inherited } from './group-closure.js';
import { compileTeamRules } from './team-rules.js';

/**
 * Snapshot -> Desired: which teams must exist and which teams each in-scope person belongs to.
 * Pure. Membership is transitive through nested groups; the output is sorted so plans are stable.
 */
export function mapDirectory(snapshot: Snapshot, mapping: MappingConfig): Desired {
  const warnings: string[] = [];
  const groups = withUnknownGroups(snapshot, warnings);
  const nesting = groupNesting(groups);
  const byId = new Map<string, Group>();
  for (const g of groups) if (!byId.has(g.sourceId)) byId.set(g.sourceId, g);
  for (const cycle of nesting.cycles) {
    warnings.push(`group nesting cycle: ${cycle.map((id) => byId.get(id)!.name).join(', ')}: members of any of them count as members of all (the cycle is not followed round)`);
  }

  const rules = compileTeamRules(mapping);
  const teamOfGroup = new Map<string, string>();
  const producers = new Map<string, string[]>();
  for (const [id, group] of byId) {
    const team = rules.teamFor(group);
    if (team === undefined) continue;
    teamOfGroup.set(id, team);
    const from = producers.get(team);
    if (from) from.push(id);
    else producers.set(team, [id]);
  }
  const teamsVia = inherited(nesting, (id) => {
    const t = teamOfGroup.get(id);
    return t === undefined ? [] : [t];
  });

  const inScope = personFilter(mapping);
  const people: DesiredPerson[] = [];
  const byEmail = new Map<string, string>();
  const noEmail: string[] = [];
  for (const person of [...snapshot.people].sort((a, b) => compare(a.sourceId, b.sourceId))) {
    if (!inScope(person)) continue;
    const teams = new Set<string>();
    for (const g of person.groupIds) for (const t of teamsVia.get(g) ?? []) teams.add(t);
    if (teams.size === 0 && mapping.defaultTeam) teams.add(mapping.defaultTeam);
    if (teams.size === 0) continue;
    const email = person.email.trim();
    if (!/^[^\s@]+@[^\s@]+$/.test(email)) {
      noEmail.push(person.sourceId);
      continue;
    }
    const key = normaliseEmail(email);
    const kept = byEmail.get(key);
    if (kept !== undefined) {
      warnings.push(`${email}: same email as directory person ${kept}; ${person.sourceId} skipped`);
      continue;
    }
    byEmail.set(key, person.sourceId);
    people.push({ sourceId: person.sourceId, email, displayName: person.displayName.trim() || email, teams: [...teams].sort(compare) });
  }
  if (noEmail.length > 0) {
    warnings.push(`${noEmail.length} person(s) without a usable email skipped (${sample(noEmail)})`);
  }
  people.sort((a, b) => compare(normaliseEmail(a.email), normaliseEmail(b.email)));

  // Every team the mapping produces must exist, members or not: a team whose group emptied stays
  // managed, so the people who left the group are removed from it.
  const names = new Set(producers.keys());
  if (mapping.defaultTeam) names.add(mapping.defaultTeam);
  const teams: DesiredTeam[] = [...names].sort(compare).map((name) => {
    const from = producers.get(name);
    // One producing group: keyed by it, so renaming the group renames the team.
    return { name, key: from?.length === 1 && name !== mapping.defaultTeam ? `group:${from[0]}` : `name:${name}` };
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
    warnings.push(`${extra.size} group(s) referenced but not listed (${sample([...extra])}): kept with their id as name`);
  }
  return [...snapshot.groups, ...[...extra].map((id) => ({ sourceId: id, name: id, parentIds: [] }))];
}

function sample(ids: string[]): string {
  const sorted = [...ids].sort(compare);
  return sorted.slice(0, 5).join(', ') + (sorted.length > 5 ? ', …' : '');
}
