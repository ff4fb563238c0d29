import { recordDecision } from '../audit/record-decision.js';
import { randomBytes } from 'node:crypto';
import { RostersyncError } from '../errors/index.js';
import type { Plan } from '../model/index.js';
import { notifyRun } from '../notify/notify-run.js';
import type { ReadMode } from '../sources/source.js';
import type { Approval, RunView } from '../store/run-record.js';
import { opFingerprints, pendingApproval, type ApprovalDeps } from './approval-state.js';
import { driveRun, planFromStore, runSync, type SyncOutcome, type SyncRequest } from './run-sync.js';
import type { Runtime } from './runtime.js';

export type DecisionAction = 'approve' | 'reject';

export interface Decision {
  action: DecisionAction;
  /** The HTTP token's name or `cli:<user>@<host>`. */
  by: string;
  /** The claim this decision already holds (one queued by the status page): its carrier claims again with it. */
  claim?: string;
}

/** The run is not (or no longer) waiting for a decision: decided, expired, unknown. Exit 64 on the CLI. */
export class NotPendingError extends RostersyncError {
  constructor(message: string) {
    super('NOT_PENDING', message);
  }
}

/** Another decision on the run was claimed first (a concurrent click, replica or CLI): 409 on the page, exit 64 on the CLI. */
export class DecisionTakenError extends NotPendingError {}

/**
 * Claims the one decision on a blocked run: the run must be the profile's pending one (an expired
 * one is marked so), and the claim is a compare-and-set in Redis (pending and unclaimed -> claimed),
 * so of concurrent deciders exactly one wins. Throws NotPendingError, or DecisionTakenError naming
 * the decision that won. Returns the claim's id, which the decision's carrier claims again with.
 */
export async function claimDecision(rt: ApprovalDeps, runId: string, d: Decision): Promise<string> {
  const pending = await pendingApproval(rt);
  if (pending?.runId !== runId) {
    const run = await rt.store.getRun(runId);
    throw new NotPendingError(
      run ? notPendingMessage(run) : `run ${runId} is not in the store of profile ${rt.store.profile}`,
    );
  }
  const id = d.claim ?? randomBytes(8).toString('hex');
  const c = await rt.store.claimDecision(runId, { id, action: d.action, by: d.by, at: new Date().toISOString() });
  if (c.result === 'taken')
    throw new DecisionTakenError(
      `run ${runId} already has a decision: ${c.held.action} by ${c.held.by} at ${c.held.at}`,
    );
  if (c.result === 'not-pending')
    throw new NotPendingError(notPendingMessage((await rt.store.getRun(runId)) ?? pending));
  return id;
}

/**
 * Gives a claim back while its run still waits: its decision was not carried out (the caller
 * failed, was interrupted or never ran it). Never throws: at worst the run waits for its expiry.
 */
export async function releaseUndecided(rt: Pick<ApprovalDeps, 'store'>, runId: string, claim: string): Promise<void> {
  try {
    if ((await rt.store.getRun(runId))?.approval?.state === 'pending') await rt.store.releaseDecision(runId, claim);
  } catch {
    // Redis is gone: the claim stays until the run expires.
  }
}

export type DecisionResult =
  | { result: 'rejected'; run: RunView }
  | { result: 'applied'; outcome: SyncOutcome }
  /** Refused: the plan no longer matches the directory and the target; `fresh` is the sync that planned again. */
  | { result: 'stale'; run: RunView; reason: string; fresh: SyncOutcome };

/**
 * A person's decision on a blocked run, taken under the profile lock (the caller holds it). Reject
 * records who and when and applies nothing. Approve first plans again from the directory and the
 * target: if that plan still makes exactly the stored changes, the stored plan is applied as it
 * is (the same run, through the one run driver); if not, the approval is refused as stale and a
 * fresh sync plans (and, when no safety rule blocks it, applies) what is true now.
 */
export async function decideRun(
  rt: Runtime,
  runId: string,
  d: Decision,
  hooks: Pick<SyncRequest, 'onProgress' | 'signal'> = {},
): Promise<DecisionResult> {
  const run = await rt.store.getRun(runId);
  if (!run) throw new NotPendingError(`run ${runId} is not in the store of profile ${rt.profile.name}`);
  const claim = await claimDecision(rt, runId, d);
  try {
    return await carryOut(rt, runId, run, d, hooks);
  } catch (err) {
    await releaseUndecided(rt, runId, claim);
    throw err;
  }
}

/** The claimed decision: reject, or approve after the stale check (decideRun). */
async function carryOut(
  rt: Runtime,
  runId: string,
  run: RunView,
  d: Decision,
  hooks: Pick<SyncRequest, 'onProgress' | 'signal'>,
): Promise<DecisionResult> {
  const pending = (await rt.store.getRun(runId))!;
  const at = new Date().toISOString();
  const decided = (patch: Partial<Approval>): Approval => ({ ...pending.approval!, by: d.by, at, ...patch });
  if (d.action === 'reject') {
    await rt.store.updateRun(runId, { approval: decided({ state: 'rejected' }) });
    rt.log.info({ runId, by: d.by }, 'blocked run rejected: nothing applied');
    await recordDecision(rt, runId, {
      action: 'run.reject',
      by: d.by,
      reason: `nothing applied (${run.blocked?.code ?? 'blocked'})`,
    });
    const view = (await rt.store.getRun(runId))!;
    await notifyRun(rt, view);
    return { result: 'rejected', run: view };
  }
  const plan = await rt.store.plan(runId);
  if (!plan) throw new NotPendingError(`run ${runId} has no stored plan`);
  const check = await checkStale(rt, plan, run.mode === 'incremental' ? 'incremental' : 'full');
  if (check.stale) {
    await rt.store.updateRun(runId, { approval: decided({ state: 'stale', note: check.reason }) });
    rt.log.warn({ runId, by: d.by, reason: check.reason }, 'approval refused: the plan is stale; planning afresh');
    await recordDecision(rt, runId, { action: 'run.approve', by: d.by, reason: `refused as stale: ${check.reason}` });
    const fresh = await runSync(rt, { mode: 'full', trigger: 'approval-refresh', ...hooks });
    await rt.store.updateRun(runId, {
      approval: decided({ state: 'stale', note: check.reason, freshRunId: fresh.runId }),
    });
    return { result: 'stale', run: (await rt.store.getRun(runId))!, reason: check.reason, fresh };
  }
  if (check.nextCursor !== undefined) await rt.store.stageCursor(runId, check.nextCursor);
  await rt.store.updateRun(runId, {
    status: 'running',
    finishedAt: undefined,
    approval: decided({ state: 'approved' }),
  });
  rt.log.info({ runId, by: d.by, ops: plan.phases.flat().length }, 'blocked run approved: applying its stored plan');
  await recordDecision(rt, runId, {
    action: 'run.approve',
    by: d.by,
    reason: `applying its ${plan.phases.flat().length} ops (${run.blocked?.code ?? 'blocked'}: ${run.blocked?.reason ?? ''})`,
  });
  return {
    result: 'applied',
    outcome: await driveRun(rt, runId, plan, {
      ...hooks,
      ...(check.people !== undefined ? { sourcePeople: check.people } : {}),
    }),
  };
}

/**
 * Plans again (no writes, no stored observations) and compares the changes, op by op, without
 * their reason text. Any difference (a person added or gone, a team renamed in the app, a user
 * deleted by hand) makes the stored plan stale.
 */
async function checkStale(
  rt: Runtime,
  plan: Plan,
  mode: ReadMode,
): Promise<{ stale: false; nextCursor?: string; people?: number } | { stale: true; reason: string }> {
  const sp = await planFromStore(rt, {
    mode,
    allowDeletes: Number.MAX_SAFE_INTEGER,
    allowRoleLosses: Number.MAX_SAFE_INTEGER,
    allowRemovals: Number.MAX_SAFE_INTEGER,
    allowGrantRemovals: Number.MAX_SAFE_INTEGER,
  });
  const stored = opFingerprints(plan);
  const now = opFingerprints(sp.plan);
  if (stored.join('\n') === now.join('\n')) {
    return {
      stale: false,
      people: sp.desired.people.length,
      ...(sp.read.nextCursor !== undefined ? { nextCursor: sp.read.nextCursor } : {}),
    };
  }
  const keysNow = new Set(sp.plan.phases.flat().map((o) => o.key));
  const keysStored = new Set(plan.phases.flat().map((o) => o.key));
  const gone = [...keysStored].filter((k) => !keysNow.has(k));
  const added = [...keysNow].filter((k) => !keysStored.has(k));
  const first = [...gone, ...added].slice(0, 3).join(', ');
  const what =
    gone.length + added.length > 0
      ? `${gone.length} planned op(s) no longer needed, ${added.length} new op(s) (${first}${gone.length + added.length > 3 ? ', …' : ''})`
      : 'the same ops with other details';
  return {
    stale: true,
    reason: `the directory or the target changed since the plan was made: ${what}; a fresh plan was made`,
  };
}

function notPendingMessage(run: RunView): string {
  const a = run.approval;
  if (!a) return `run ${run.runId} is ${run.status}, not waiting for a decision`;
  if (a.state === 'pending')
    return `run ${run.runId} waits for a decision, but a newer blocked run of the profile is the one waiting`;
  const who = a.by ? ` by ${a.by}` : '';
  return `run ${run.runId} is not waiting for a decision: ${a.state}${who}${a.at ? ` at ${a.at}` : ''}`;
}
