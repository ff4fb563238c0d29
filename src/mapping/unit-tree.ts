import { labelOf, type Desired, type DesiredTeam, type Group } from '../model/index.js';
import { compare } from './group-closure.js';

/**
 * Flat teams -> a tree of units, for targets whose containers nest (a unit has one parent).
 * `groups`: a unit's parent is the unit of the nearest enclosing group that maps to one (breadth
 * first through the group's parents, lowest id first), so the tree mirrors the directory's nesting.
 * `path`: a team name "Region/EMEA/Sales" is the unit "Sales" under "EMEA" under "Region"; the
 * units on the way are created where missing, and hold only the people mapped to them.
 * Units are listed parents first, so a plan can create a parent before its children.
 */
export function nestUnits(
  d: Desired,
  mode: 'groups' | 'path',
  groups: ReadonlyMap<string, Group>,
  labelOfGroup: ReadonlyMap<string, string>,
): Desired {
  const warnings = [...d.warnings];
  const out = mode === 'groups' ? byGroups(d, groups, labelOfGroup) : byPath(d);
  const teams = out.teams.map((t) => (t.type === 'org' ? t : { ...t, type: 'ou' as const }));
  return { ...out, teams: parentsFirst(teams, warnings), warnings };
}

function byGroups(d: Desired, groups: ReadonlyMap<string, Group>, labelOfGroup: ReadonlyMap<string, string>): Desired {
  const producers = new Map<string, string[]>();
  for (const [id, label] of labelOfGroup) producers.set(label, [...(producers.get(label) ?? []), id].sort(compare));
  const teams = d.teams.map((t) => {
    const own = labelOf(t);
    const start = producers.get(own) ?? [];
    const seen = new Set(start);
    let level = start;
    while (level.length > 0) {
      const next: string[] = [];
      for (const id of level) {
        for (const p of [...(groups.get(id)?.parentIds ?? [])].sort(compare)) {
          if (seen.has(p)) continue;
          seen.add(p);
          next.push(p);
        }
      }
      const hit = next.map((p) => labelOfGroup.get(p)).find((l) => l !== undefined && l !== own);
      if (hit !== undefined) return { ...t, under: hit };
      level = next;
    }
    return t;
  });
  return { ...d, teams };
}

function byPath(d: Desired): Desired {
  const relabel = new Map<string, string>();
  const teams = new Map<string, DesiredTeam>();
  const split = (s: string) =>
    s
      .split('/')
      .map((p) => p.trim())
      .filter((p) => p !== '');
  for (const t of d.teams) {
    if (t.type === 'org') {
      teams.set(labelOf(t), t);
      continue;
    }
    const parts = split(t.name);
    if (parts.length === 0) continue;
    const path = parts.join('/');
    relabel.set(labelOf(t), path);
    for (let i = 1; i < parts.length; i++) {
      const p = parts.slice(0, i).join('/');
      if (!teams.has(p))
        teams.set(p, withPath({ name: parts[i - 1]!, key: `name:${p}` }, p, parts.slice(0, i - 1).join('/')));
    }
    // A path produced by a group replaces the placeholder of an intermediate unit of the same path.
    teams.set(path, withPath({ ...t, name: parts[parts.length - 1]! }, path, parts.slice(0, -1).join('/')));
  }
  const people = d.people.map((p) => ({
    ...p,
    teams: [...new Set(p.teams.map((l) => relabel.get(l) ?? l))].sort(compare),
  }));
  return { ...d, teams: [...teams.values()], people };
}

function withPath(t: DesiredTeam, path: string, parent: string): DesiredTeam {
  const { label: _label, under: _under, ...rest } = t;
  return { ...rest, ...(path !== t.name ? { label: path } : {}), ...(parent !== '' ? { under: parent } : {}) };
}

/** Depth-first order by `under`; a unit whose chain loops back to itself becomes a top-level unit. */
function parentsFirst(teams: DesiredTeam[], warnings: string[]): DesiredTeam[] {
  const byLabel = new Map(teams.map((t) => [labelOf(t), t]));
  const depth = new Map<string, number>();
  const depthOf = (t: DesiredTeam): number => {
    const own = labelOf(t);
    const known = depth.get(own);
    if (known !== undefined) return known;
    const chain = new Set([own]);
    let n = 0;
    for (let at = t.under; at !== undefined; at = byLabel.get(at)?.under) {
      if (chain.has(at)) {
        warnings.push(`unit "${own}" would sit inside itself through its groups' nesting: made a top-level unit`);
        delete t.under;
        n = 0;
        break;
      }
      chain.add(at);
      n += 1;
    }
    depth.set(own, n);
    return n;
  };
  for (const t of teams) depthOf(t);
  return [...teams].sort((a, b) => depthOf(a) - depthOf(b) || compare(labelOf(a), labelOf(b)));
}
