import type { Group } from '../model/index.js';

export interface Closure {
  /** group sourceId -> itself and every ancestor (transitive parents). */
  ancestors: Map<string, string[]>;
  /** One line per cycle found, naming its groups. */
  cycles: string[];
}

/**
 * Transitive nesting, computed once per group. Reachability with a visited set never loops,
 * so a cycle is only reported (once, naming its groups), not followed round.
 */
export function groupClosure(groups: readonly Group[]): Closure {
  const byId = new Map(groups.map((g) => [g.sourceId, g]));
  const ancestors = new Map<string, string[]>();
  for (const g of groups) {
    const seen = new Set<string>([g.sourceId]);
    const queue = [g.sourceId];
    for (let i = 0; i < queue.length; i++) {
      for (const parent of byId.get(queue[i]!)?.parentIds ?? []) {
        if (!seen.has(parent)) {
          seen.add(parent);
          queue.push(parent);
        }
      }
    }
    ancestors.set(g.sourceId, [...seen]);
  }
  return { ancestors, cycles: findCycles(byId) };
}

function findCycles(byId: Map<string, Group>): string[] {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const cycles: string[] = [];
  const visit = (id: string): void => {
    state.set(id, 'open');
    stack.push(id);
    for (const parent of byId.get(id)?.parentIds ?? []) {
      const s = state.get(parent);
      if (s === 'open') {
        const loop = stack.slice(stack.indexOf(parent));
        cycles.push([...loop, parent].map((g) => byId.get(g)?.name ?? g).join(' -> '));
      } else if (s === undefined && byId.has(parent)) visit(parent);
    }
    stack.pop();
    state.set(id, 'done');
  };
  for (const id of byId.keys()) if (!state.has(id)) visit(id);
  return cycles;
}
