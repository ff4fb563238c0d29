import type { Group } from '../model/index.js';

/**
 * Group nesting condensed into strongly connected components (Tarjan, iterative, so long chains
 * cannot overflow the stack). Groups in one cycle share one component: a cycle is found once and
 * never walked round. Tarjan emits a component after every component it nests into, which is
 * exactly the order in which to memoise inherited values.
 */
export interface Nesting {
  /** Components in emission order: a component's parents are always emitted before it. */
  components: string[][];
  /** group sourceId -> index in components. */
  componentOf: Map<string, number>;
  /** component -> parent components (deduplicated, without itself). */
  parents: number[][];
  /** Each cycle once: its groups' sourceIds, sorted. */
  cycles: string[][];
}

export function groupNesting(groups: readonly Group[]): Nesting {
  const byId = new Map<string, Group>();
  for (const g of groups) if (!byId.has(g.sourceId)) byId.set(g.sourceId, g);
  const ids = [...byId.keys()].sort(compare);
  const edges = (id: string) => byId.get(id)!.parentIds.filter((p) => byId.has(p));

  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  const componentOf = new Map<string, number>();
  let next = 0;

  for (const root of ids) {
    if (index.has(root)) continue;
    const frames: { id: string; parents: string[]; i: number }[] = [];
    const open = (id: string) => {
      index.set(id, next);
      low.set(id, next);
      next += 1;
      stack.push(id);
      onStack.add(id);
      frames.push({ id, parents: edges(id), i: 0 });
    };
    open(root);
    while (frames.length > 0) {
      const f = frames[frames.length - 1]!;
      if (f.i < f.parents.length) {
        const p = f.parents[f.i++]!;
        if (!index.has(p)) open(p);
        else if (onStack.has(p)) low.set(f.id, Math.min(low.get(f.id)!, index.get(p)!));
        continue;
      }
      frames.pop();
      const up = frames[frames.length - 1];
      if (up) low.set(up.id, Math.min(low.get(up.id)!, low.get(f.id)!));
      if (low.get(f.id) !== index.get(f.id)) continue;
      const members: string[] = [];
      let m: string;
      do {
        m = stack.pop()!;
        onStack.delete(m);
        componentOf.set(m, components.length);
        members.push(m);
      } while (m !== f.id);
      components.push(members.sort(compare));
    }
  }

  const parents = components.map((members, c) => {
    const out = new Set<number>();
    for (const id of members) for (const p of edges(id)) if (componentOf.get(p) !== c) out.add(componentOf.get(p)!);
    return [...out];
  });
  const cycles = components.filter((members) => members.length > 1 || edges(members[0]!).includes(members[0]!));
  return { components, componentOf, parents, cycles };
}

/**
 * For every group: the values of itself and all its ancestors, deduplicated. Memoised per
 * component, so each component's set is built once from its parents' sets.
 */
export function inherited<T>(nesting: Nesting, own: (groupId: string) => Iterable<T>): Map<string, readonly T[]> {
  const perComponent: T[][] = [];
  nesting.components.forEach((members, c) => {
    const set = new Set<T>();
    for (const id of members) for (const v of own(id)) set.add(v);
    for (const p of nesting.parents[c]!) for (const v of perComponent[p]!) set.add(v);
    perComponent.push([...set]);
  });
  const out = new Map<string, readonly T[]>();
  for (const [id, c] of nesting.componentOf) out.set(id, perComponent[c]!);
  return out;
}

export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
