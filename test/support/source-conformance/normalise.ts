import { normaliseEmail, type Snapshot } from '../../../src/model/index.js';

/** A snapshot with every id replaced by what it stands for: people by email, groups by name; sorted. */
export interface NormalSnapshot {
  people: NormalPerson[];
  groups: NormalGroup[];
}
export interface NormalPerson {
  email: string;
  displayName: string;
  givenName: string | undefined;
  familyName: string | undefined;
  enabled: boolean;
  groups: string[];
  /** The listed attributes read (none listed: empty). */
  attributes: Record<string, string[]>;
}
export interface NormalGroup {
  name: string;
  parents: string[];
}

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Ids a snapshot does not define stay visible as `?<id>` rather than vanishing. */
export function normalise(s: Snapshot): NormalSnapshot {
  const names = new Map(s.groups.map((g) => [g.sourceId, g.name]));
  const name = (id: string) => names.get(id) ?? `?${id}`;
  return {
    people: s.people
      .map((p) => ({
        email: normaliseEmail(p.email),
        displayName: p.displayName,
        givenName: p.givenName,
        familyName: p.familyName,
        enabled: p.enabled,
        groups: p.groupIds.map(name).sort(byText),
        attributes: p.attributes ?? {},
      }))
      .sort((a, b) => byText(a.email, b.email)),
    groups: s.groups
      .map((g) => ({ name: g.name, parents: g.parentIds.map(name).sort(byText) }))
      .sort((a, b) => byText(a.name, b.name)),
  };
}

/**
 * The same directory with nesting resolved, as the mapping sees it: each person in every group
 * they are in directly or through nesting, groups without parents. What a source that reads
 * transitive membership (Entra's transitiveMembers) reports.
 */
export function resolveNesting(s: NormalSnapshot): NormalSnapshot {
  const parents = new Map(s.groups.map((g) => [g.name, g.parents]));
  const closure = (direct: string[]) => {
    const seen = new Set<string>();
    const walk = (name: string) => {
      if (seen.has(name)) return;
      seen.add(name);
      for (const p of parents.get(name) ?? []) walk(p);
    };
    direct.forEach(walk);
    return [...seen].sort(byText);
  };
  return {
    people: s.people.map((p) => ({ ...p, groups: closure(p.groups) })),
    groups: s.groups.map((g) => ({ name: g.name, parents: [] })),
  };
}

/** `s` without the person with this email. */
export function withoutPerson(s: NormalSnapshot, email: string): NormalSnapshot {
  return { ...s, people: s.people.filter((p) => p.email !== normaliseEmail(email)) };
}
