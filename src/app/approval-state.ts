import { recordDecision } from '../audit/record-decision.js';
import type { AuditStream } from '../audit/audit-stream.js';
import type { Config, ProfileConfig } from '../config/schema.js';
import type { Logger } from '../log/logger.js';
import type { Plan } from '../model/index.js';
import type { Approval, RunView } from '../store/run-record.js';
import type { Store } from '../store/store.js';

/**
 * The waiting side of approvals: which blocked run of a profile waits for a decision, when it
 * lapses, and what a tick that finds it waiting records. Deciding lives in approvals.ts (it drives
 * runs); this half is what run-sync.ts needs, kept apart so the two do not import each other.
 */
export interface ApprovalDeps {
  config: Config;
  store: Store;
  log: Logger;
  profile: ProfileConfig;
  /** The audit stream an expiry is told on (absent: it is only kept in the run's audit). */
  audit?: AuditStream;
}

export const newApproval = (config: Config, now = Date.now()): Approval => ({
  state: 'pending',
  expiresAt: new Date(now + config.approvals.expireAfter).toISOString(),
});

/**
 * The run of the profile waiting for a decision, if any. One whose time is up is marked expired
 * here (by whoever looks first, under the profile lock), so an expiry needs no timer of its own.
 */
export async function pendingApproval(deps: ApprovalDeps, now = Date.now()): Promise<RunView | undefined> {
  const runs = await deps.store.listRuns(deps.config.queue.keepRuns);
  const run = runs.find((r) => r.status === 'blocked' && r.approval?.state === 'pending');
  if (!run) return undefined;
  if (Date.parse(run.approval!.expiresAt) > now) return run;
  const approval: Approval = {
    ...run.approval!,
    state: 'expired',
    by: 'rostersync',
    at: new Date(now).toISOString(),
    note: 'nobody approved or rejected it in time (approvals.expireAfter)',
  };
  await deps.store.updateRun(run.runId, { approval });
  deps.log.warn(
    { runId: run.runId, expiresAt: run.approval!.expiresAt },
    'blocked run expired without a decision: the next sync plans afresh',
  );
  await recordDecision(deps, run.runId, { action: 'run.expire', by: 'rostersync', reason: approval.note! });
  return undefined;
}

/** Ops compared without their reason text, which may carry dates: the same changes, the same fingerprint. */
export function opFingerprints(plan: Plan): string[] {
  return plan.phases
    .flat()
    .map((op) => JSON.stringify({ ...op, reason: undefined }))
    .sort();
}

/**
 * A tick while a run waits: it planned, it applies nothing, and the waiting run says so (how many
 * ticks, the last one's plan, and whether it still plans the same changes).
 */
export async function recordWaitingTick(deps: ApprovalDeps, waiting: RunView, plan: Plan): Promise<RunView> {
  const stored = await deps.store.plan(waiting.runId);
  const samePlan = stored !== undefined && opFingerprints(stored).join('\n') === opFingerprints(plan).join('\n');
  const ticks = waiting.approval?.waitingTicks;
  const approval: Approval = {
    ...waiting.approval!,
    waitingTicks: {
      count: (ticks?.count ?? 0) + 1,
      lastAt: new Date().toISOString(),
      lastPlanId: plan.id,
      lastOps: plan.phases.flat().length,
      samePlan,
    },
  };
  await deps.store.updateRun(waiting.runId, { approval });
  deps.log.warn(
    {
      runId: waiting.runId,
      planId: plan.id,
      ops: plan.phases.flat().length,
      samePlan,
      expiresAt: waiting.approval?.expiresAt,
    },
    'profile waits for a decision on a blocked run: this tick planned and applied nothing',
  );
  return { ...waiting, approval };
}
