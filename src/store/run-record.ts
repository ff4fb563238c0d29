import type { OpKind, Plan } from '../model/index.js';

export type RunStatus = 'running' | 'succeeded' | 'partial' | 'failed' | 'blocked';
/** `deferred`: waits for something outside the sync (a first sign-in); neither done nor failed. */
export type OpOutcomeKind = 'applied' | 'already-done' | 'deferred' | 'failed' | 'skipped-dependency';

/** What `status`, the daemon's page and the metrics show about one run. */
export interface RunRecord {
  runId: string;
  profile: string;
  planId?: string;
  trigger: string;
  mode: string;
  status: RunStatus;
  startedAt: string;
  finishedAt?: string;
  /** Ops in the plan by kind. */
  planned: Partial<Record<OpKind, number>>;
  totalOps: number;
  blocked?: { code: string; reason: string };
  warnings: number;
  source?: { people: number; groups: number; issues: number; readMs: number; requests?: number };
  /** Set when the run failed before applying (source, target or Redis error). */
  error?: string;
  timings?: Record<string, number>;
}

export interface RunView extends RunRecord {
  /** `${kind}.${outcome}` -> count. */
  counts: Record<string, number>;
  done: number;
  failures: { opKey: string; reason: string }[];
}

export function summarisePlan(plan: Plan): Pick<RunRecord, 'planId' | 'planned' | 'totalOps' | 'warnings' | 'blocked'> {
  const planned = Object.fromEntries(Object.entries(plan.counts).filter(([, n]) => n > 0)) as RunRecord['planned'];
  return { planId: plan.id, planned, totalOps: plan.phases.flat().length, warnings: plan.warnings.length, ...(plan.blocked ? { blocked: plan.blocked } : {}) };
}
