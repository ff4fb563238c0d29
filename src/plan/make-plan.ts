import { createHash } from 'node:crypto';
import { OP_KINDS, PHASES, type Op, type OpKind, type Plan } from '../model/index.js';
import type { PlanInput, PlanObservations } from './plan-input.js';
import { diff } from './diff.js';
import { checkSafety } from './safety.js';
import { KEY_PREFIX_KINDS } from './op-key.js';

const PHASE_INDEX = Object.fromEntries(PHASES.flatMap((kinds, i) => kinds.map((k) => [k, i]))) as Record<
  OpKind,
  number
>;

export interface PlanResult {
  plan: Plan;
  observations: PlanObservations;
}

/** Desired + Actual + Links + Policy -> Plan. Pure: no Redis, HTTP or clock inside. */
export function makePlan(input: PlanInput): PlanResult {
  const d = diff(input);
  assertAcyclic(d.ops);
  // One pass over the ops (at 750,000 ops a filter per phase cost a few hundred ms).
  const phases: Op[][] = PHASES.map(() => []);
  const counts = Object.fromEntries(OP_KINDS.map((k) => [k, 0])) as Record<OpKind, number>;
  for (const op of d.ops) {
    phases[PHASE_INDEX[op.kind]]!.push(op);
    counts[op.kind] += 1;
  }
  const blocked = checkSafety(input, d.ops, d.deprovisioned + d.emptied, d.usersInScope);
  const writes = d.ops.length;
  const plan: Plan = {
    id: planId(phases.flat()),
    createdAt: new Date(input.now).toISOString(),
    phases,
    counts,
    warnings: [...input.desired.warnings, ...d.warnings],
    ...(blocked ? { blocked } : {}),
    estimate: {
      writes,
      reads: input.readCalls,
      ratePerSecond: input.ratePerSecond,
      etaSeconds: input.ratePerSecond > 0 ? Math.ceil(writes / input.ratePerSecond) : 0,
    },
    stats: {
      desiredPeople: input.desired.people.length,
      desiredTeams: input.desired.teams.length,
      targetUsers: input.actual.users.length,
      targetTeams: input.actual.teams.length,
      usersInScope: d.usersInScope,
      deletions: d.deprovisioned + d.emptied + counts.deleteTeam,
      waiting: d.waiting.length,
      ...(input.desired.scope
        ? { peopleRead: input.desired.scope.read, outOfScope: { ...input.desired.scope.out } }
        : {}),
      ...(input.source ? { source: { ...input.source } } : {}),
      neverTouched: d.neverTouched,
      teamsManaged: d.teamsManaged,
      orgsManaged: d.orgsManaged,
    },
  };
  return { plan, observations: d.observations };
}

/** Same ops, same id: enqueuing a plan twice is a no-op. Short, and never all digits (BullMQ ids). */
export function planId(ops: Op[]): string {
  const h = createHash('sha256');
  // The ops' JSON, 2,000 at a time: one stringify and one hash update per chunk, not per op.
  for (let i = 0; i < ops.length; i += 2000) h.update(JSON.stringify(ops.slice(i, i + 2000)));
  return `p${h.digest('hex').slice(0, 15)}`;
}

function earlierPhase(depKey: string, phase: number): boolean {
  const kind = (KEY_PREFIX_KINDS as Record<string, OpKind | undefined>)[depKey.slice(0, depKey.indexOf('.'))];
  return kind !== undefined && PHASE_INDEX[kind] < phase;
}

/** The queue runs an op once its dependencies have outcomes: a cycle would wait forever, so it is a planner bug. */
export function assertAcyclic(ops: Op[]): void {
  // Phases run in order, so a dependency in an earlier phase can never close a cycle: when every
  // dependency is one (its key's prefix names its kind), there is nothing more to look at. This
  // reads each key's prefix, and hashes no key: at 750,000 ops the checks below cost most of a second.
  if (ops.every((o) => o.dependsOn.every((k) => earlierPhase(k, PHASE_INDEX[o.kind])))) return;
  // Fast path: the planner emits dependencies before their dependants, so when every dependency
  // sits earlier in the list the list is a topological order and there is no cycle. Only keys that
  // something depends on are remembered (a seventh of the ops at 750,000). A dependency outside the
  // list takes the walk below, which allocates a frame per op (seconds of GC at that size).
  const needed = new Set<string>();
  for (const o of ops) for (const k of o.dependsOn) needed.add(k);
  const seen = new Set<string>();
  let ordered = true;
  for (const o of ops) {
    for (const k of o.dependsOn) if (!seen.has(k)) ordered = false;
    if (!ordered) break;
    if (needed.has(o.key)) seen.add(o.key);
  }
  if (ordered) return;
  const byKey = new Map(ops.map((o) => [o.key, o]));
  const state = new Map<string, 1 | 2>();
  for (const start of ops) {
    if (state.has(start.key)) continue;
    const stack: [Op, number][] = [[start, 0]];
    state.set(start.key, 1);
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const [op, i] = top;
      if (i >= op.dependsOn.length) {
        state.set(op.key, 2);
        stack.pop();
        continue;
      }
      top[1] += 1;
      const next = byKey.get(op.dependsOn[i]!);
      if (!next) continue;
      const s = state.get(next.key);
      if (s === 1) throw new Error(`planner bug: ops wait for each other (${next.key} <-> ${op.key})`);
      if (s === undefined) {
        state.set(next.key, 1);
        stack.push([next, 0]);
      }
    }
  }
}
