import type { OutOfScope } from './desired.js';
import type { IssueWords } from './directory.js';
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
  /** Figures the safety rules looked at, for the record (the optional ones are absent from older plans). */
  stats: {
    /** People in scope. */
    desiredPeople: number;
    desiredTeams: number;
    /** Every user and container the target holds, managed or not. */
    targetUsers: number;
    targetTeams: number;
    /** Target users the sync manages (linked, matched or in a managed team), never one it never touches. */
    usersInScope: number;
    deletions: number;
    waiting?: number;
    /** People the source read, before the mapping's scope. */
    peopleRead?: number;
    /** People read but not in scope, by why (each person once). */
    outOfScope?: Partial<Record<OutOfScope, number>>;
    /** The source's kind, and the issues of its read (rows or entries it could not use) in its words. */
    source?: {
      kind: string;
      issues: number;
      words?: IssueWords;
      /** A joined read: people each source gave, and how many were found in more than one. */
      sources?: { name: string; people: number }[];
      join?: { people: number; joined: number; notInRequired: number; conflicts: number };
    };
    /** Target users the sync never touches, by why (a server admin, the API key's own user, policy.protectedUsers). */
    neverTouched?: Record<string, number>;
    /** Existing target containers the sync manages: teams (or units), and orgs. */
    teamsManaged?: number;
    orgsManaged?: number;
  };
}

export function planOps(plan: Pick<Plan, 'phases'>): Op[] {
  return plan.phases.flat();
}
