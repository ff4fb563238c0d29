import { createHash } from 'node:crypto';
import { OP_KINDS, PHASES, type Op, type OpKind, type Plan } from '../model/index.js';
import type { PlanInput, PlanObservations } from './plan-input.js';
import { diff } from './diff.js';
import { checkSafety } from './safety.js';

export interface PlanResult {
  plan: Plan;
  observations: PlanObservations;
}

/** Desired + Actual + Links + Policy -> Plan. Pure: no Redis, HTTP or clock inside. */
export function makePlan(input: PlanInput): PlanResult {
  const d = diff(input);
  const phases = PHASES.map((kinds) => d.ops.filter((o) => kinds.includes(o.kind)));
  const counts = Object.fromEntries(OP_KINDS.map((k) => [k, 0])) as Record<OpKind, number>;
  for (const op of d.ops) counts[op.kind] += 1;
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
    },
  };
  return { plan, observations: d.observations };
}

/** Same ops, same id: enqueuing a plan twice is a no-op. Short, and never all digits (BullMQ ids). */
export function planId(ops: Op[]): string {
  const h = createHash('sha256');
  for (const op of ops) h.update(JSON.stringify(op)).update('\n');
  return `p${h.digest('hex').slice(0, 15)}`;
}
