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
  source?: {
    people: number;
    groups: number;
    issues: number;
    readMs: number;
    requests?: number;
    /** How the source names its problems (`rows skipped`, `entries with problems`). */
    issueWords?: { one: string; many: string };
    /** A joined read: people each source gave, and how the join went. */
    sources?: { name: string; people: number }[];
    join?: { people: number; joined: number; notInRequired: number; conflicts: number };
  };
  /** Set when the run failed before applying (source, target or Redis error). */
  error?: string;
  timings?: Record<string, number>;
  /** A blocked run waits for a person (src/app/approvals.ts): the decision, who made it and when. */
  approval?: Approval;
}

export type ApprovalState = 'pending' | 'approved' | 'rejected' | 'expired' | 'stale';

export interface Approval {
  state: ApprovalState;
  /** When a pending approval lapses (config `approvals.expireAfter`). */
  expiresAt: string;
  /** The token's name (status page) or `cli:<user>@<host>`; `rostersync` for an expiry. */
  by?: string;
  at?: string;
  /** Why an approval was refused (stale) and the run that holds the fresh plan. */
  note?: string;
  freshRunId?: string;
  /** Ticks that planned but applied nothing while this run waited. */
  waitingTicks?: { count: number; lastAt: string; lastPlanId: string; lastOps: number; samePlan: boolean };
}

export interface RunView extends RunRecord {
  /** `${kind}.${outcome}` -> count. */
  counts: Record<string, number>;
  done: number;
  failures: { opKey: string; what?: string; reason: string }[];
}

export function summarisePlan(plan: Plan): Pick<RunRecord, 'planId' | 'planned' | 'totalOps' | 'warnings' | 'blocked'> {
  const planned = Object.fromEntries(Object.entries(plan.counts).filter(([, n]) => n > 0)) as RunRecord['planned'];
  return {
    planId: plan.id,
    planned,
    totalOps: plan.phases.flat().length,
    warnings: plan.warnings.length,
    ...(plan.blocked ? { blocked: plan.blocked } : {}),
  };
}
