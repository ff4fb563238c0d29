import type { Op, OpKind } from './op.js';

export interface Estimate {
  /** Write calls (one per op). */
  writes: number;
  /** GETs spent reading the target for this plan. */
  reads: number;
  /** Calls per second the budget allows. */
  ratePerSecond: number;
  /** Seconds to apply the writes at that rate. */
  etaSeconds: number;
}

export interface Plan {
  /** Hash of the ops: the same ops give the same id, so re-enqueuing is a no-op. */
  id: string;
  createdAt: string;
  /** Ops grouped by phase, phase 1 first. */
  phases: Op[][];
  counts: Record<OpKind, number>;
  warnings: string[];
  /** Set when a safety rule refuses the plan; nothing is applied. */
  blocked?: { code: string; reason: string };
  estimate: Estimate;
  /** Figures the safety rules looked at, for the record. */
  stats: {
    desiredPeople: number;
    desiredTeams: number;
    targetUsers: number;
    targetTeams: number;
    usersInScope: number;
    deletions: number;
    waiting?: number;
  };
}

export function planOps(plan: Pick<Plan, 'phases'>): Op[] {
  return plan.phases.flat();
}
