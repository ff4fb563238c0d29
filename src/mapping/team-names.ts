import type { Group } from '../model/index.js';
import { compare } from './group-closure.js';

/**
 * On a target whose container names ignore case, "Data Team" and "data team" are one container:
 * planned as two, each sync would add one group's members and remove the other's, forever. Labels
 * that differ only in case are therefore merged into one, spelled as the first in code-unit order
 * (the same choice every run, whatever order the source lists groups in), with one warning each.
 * Returns label -> the label it is merged into (itself when alone).
 */
export function foldLabels(
  producers: ReadonlyMap<string, string[]>,
  caseInsensitive: boolean,
  warnings: string[],
): Map<string, string> {
  const out = new Map<string, string>();
  if (!caseInsensitive) {
    for (const label of producers.keys()) out.set(label, label);
    return out;
  }
  const byFold = new Map<string, string[]>();
  for (const label of producers.keys()) {
    const k = label.toLowerCase();
    byFold.set(k, [...(byFold.get(k) ?? []), label]);
  }
  for (const labels of byFold.values()) {
    labels.sort(compare);
    const kept = labels[0]!;
    for (const l of labels) out.set(l, kept);
    if (labels.length < 2) continue;
    const from = labels
      .flatMap((l) => producers.get(l) ?? [])
      .map((g) => `"${g}"`)
      .join(', ');
    warnings.push(
      `teams ${labels.map((l) => `"${l}"`).join(', ')} differ only in case and the target's names ignore case: merged into one team "${kept}" (from groups ${from})`,
    );
  }
  return out;
}

/**
 * Explicit map entries (mapping.groups) whose group is not in the directory: the group was deleted,
 * or the entry is a typo. Returns [entry, team] for each, in entry order.
 */
export function missingExplicitGroups(explicit: Record<string, string>, groups: Iterable<Group>): [string, string][] {
  const known = new Set<string>();
  for (const g of groups) {
    known.add(g.sourceId);
    known.add(g.name);
  }
  return Object.entries(explicit)
    .filter(([k, team]) => team.trim() !== '' && !known.has(k))
    .map(([k, team]) => [k, team.trim()]);
}
