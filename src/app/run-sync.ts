import { randomBytes } from 'node:crypto';
import { RostersyncError } from '../errors/index.js';
import type { Plan } from '../model/index.js';
import { applyPlan } from '../queue/apply-plan.js';
import type { ReadMode } from '../sources/source.js';
import { summarisePlan, type RunRecord, type RunView } from '../store/run-record.js';
import { notifyRun } from '../notify/notify-run.js';
import { emitRunAudit } from '../audit/emit-run-audit.js';
import { newApproval, pendingApproval, recordWaitingTick } from './approval-state.js';
import { planSync, type PlanSyncOptions, type SyncPlan } from './plan-sync.js';
import type { Runtime } from './runtime.js';

export interface SyncRequest {
  mode: ReadMode;
  trigger: 'backfill' | 'schedule' | 'manual' | 'apply' | 'approval-refresh';
  allowDeletes?: number;
  allowRoleLosses?: number;
  allowRemovals?: number;
  allowGrantRemovals?: number;
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

/** `waiting`: another blocked run waits for a decision; this sync planned and applied nothing. */
export type SyncStatus = 'succeeded' | 'partial' | 'blocked' | 'failed' | 'waiting';

export interface SyncOutcome {
  runId: string;
  status: SyncStatus;
  /** 0 ok, 1 some ops failed, 2 blocked by safety. */
  exitCode: 0 | 1 | 2;
  plan?: Plan;
  run: RunView;
}

/** A run already in progress (or crashed) for this profile: resume it or wait. */
export class RunInProgressError extends RostersyncError {
  constructor(readonly runId: string) {
    super(
      'RUN_IN_PROGRESS',
      `run ${runId} of this profile has not finished: continue it with --resume, or wait for the process running it`,
    );
  }
}

export const newRunId = (profile: string) =>
  `${profile}-${new Date().toISOString().replace(/[-:.]/g, '').replace('T', '-').slice(0, 15)}-${randomBytes(3).toString('hex')}`;

/** The pipeline: read, map, read target, plan, guard, apply, record. Workers run elsewhere or in-process. */
export async function runSync(rt: Runtime, req: SyncRequest): Promise<SyncOutcome> {
  const { store } = rt;
  const base = await beginRun(rt, req.trigger, req.mode);
  const sp = await planOrRecordFailure(rt, base, req);
  const { plan, read } = sp;
  await store.saveObservations(sp.observations, Date.parse(plan.createdAt));
  const record = plannedRecord(rt, base, sp);
  // While a blocked run waits for a person, the daemon's ticks plan but never apply (src/app/approval-state.ts).
  const waiting = await pendingApproval(rt);
  if (waiting && (req.trigger === 'schedule' || req.trigger === 'manual')) {
    return {
      runId: waiting.runId,
      status: 'waiting',
      exitCode: 2,
      plan,
      run: await recordWaitingTick(rt, waiting, plan),
    };
  }
  if (plan.blocked) return holdBlocked(rt, record, sp, waiting !== undefined);
  await store.startRun(record, plan, sp.learned);
  if (read.nextCursor !== undefined) await store.stageCursor(base.runId, read.nextCursor);
  return driveRun(rt, base.runId, plan, {
    ...req,
    sourcePeople: sp.desired.people.length,
    ...(read.sources ? { sourceSizes: read.sources } : {}),
  });
}

/**
 * The start every new run shares (a sync, a reviewed plan applied): no run of the profile is
 * unfinished, and the run's record as it begins, under a new run id.
 */
async function beginRun(rt: Runtime, trigger: SyncRequest['trigger'], mode: string, plan?: Plan): Promise<RunRecord> {
  const unfinished = await rt.store.unfinishedRun();
  if (unfinished) throw new RunInProgressError(unfinished.runId);
  return {
    runId: newRunId(rt.profile.name),
    profile: rt.profile.name,
    trigger,
    mode,
    status: 'running',
    startedAt: new Date().toISOString(),
    ...(plan ? summarisePlan(plan) : { planned: {}, totalOps: 0, warnings: 0 }),
  };
}

/** Steps 1-4 with what earlier runs left in the store (links, tombstones, the last source size, the cursor). */
export async function planFromStore(
  rt: Runtime,
  opts: Pick<PlanSyncOptions, 'mode' | 'allowDeletes' | 'allowRoleLosses' | 'allowRemovals' | 'allowGrantRemovals'>,
): Promise<SyncPlan> {
  const state = await rt.store.planState();
  return planSync(rt.config, rt.profile, rt.source, rt.target, rt.log, { ...opts, state });
}

/** A failure before planning finished (source, target, Redis) is recorded as a failed run, and notified. */
async function planOrRecordFailure(rt: Runtime, base: RunRecord, req: SyncRequest): Promise<SyncPlan> {
  try {
    return await planFromStore(rt, {
      mode: req.mode,
      ...(req.allowDeletes !== undefined ? { allowDeletes: req.allowDeletes } : {}),
      ...(req.allowRoleLosses !== undefined ? { allowRoleLosses: req.allowRoleLosses } : {}),
      ...(req.allowRemovals !== undefined ? { allowRemovals: req.allowRemovals } : {}),
      ...(req.allowGrantRemovals !== undefined ? { allowGrantRemovals: req.allowGrantRemovals } : {}),
    });
  } catch (err) {
    await rt.store.startRun({
      ...base,
      status: 'failed',
      finishedAt: new Date().toISOString(),
      // A driver's or an API's message may echo a credential back: blanked before it is stored.
      error: rt.store.scrub((err as Error).message),
    });
    const failed = await rt.store.getRun(base.runId).catch(() => undefined);
    if (failed) await notifyRun(rt, failed);
    throw err;
  }
}

/** The run's record once planned: the plan's summary, what the source read, how long each step took. */
function plannedRecord(rt: Runtime, base: RunRecord, sp: SyncPlan): RunRecord {
  const { read } = sp;
  return {
    ...base,
    ...summarisePlan(sp.plan),
    mode: read.mode,
    source: {
      people: read.snapshot.people.length,
      groups: read.snapshot.groups.length,
      issues: read.snapshot.issues.length,
      readMs: Math.round(sp.timings.sourceMs),
      ...(rt.source.issueWords ? { issueWords: rt.source.issueWords } : {}),
      ...(read.sources ? { sources: read.sources } : {}),
      ...(read.join ? { join: read.join } : {}),
      ...(read.requests !== undefined ? { requests: read.requests } : {}),
    },
    timings: {
      sourceMs: Math.round(sp.timings.sourceMs),
      targetMs: Math.round(sp.timings.targetMs),
      planMs: Math.round(sp.timings.planMs),
    },
  };
}

/** A plan a safety rule blocked: recorded with nothing applied; it waits for approve or reject (unless another run already waits). */
async function holdBlocked(rt: Runtime, record: RunRecord, sp: SyncPlan, anotherWaits: boolean): Promise<SyncOutcome> {
  const { plan } = sp;
  const { runId } = record;
  await rt.store.startRun(
    {
      ...record,
      status: 'blocked',
      finishedAt: new Date().toISOString(),
      ...(anotherWaits ? {} : { approval: newApproval(rt.config) }),
    },
    plan,
    sp.learned,
  );
  rt.log.warn(
    { runId, code: plan.blocked!.code, reason: plan.blocked!.reason },
    'plan blocked by a safety rule: nothing applied; it waits for approve or reject',
  );
  const run = (await rt.store.getRun(runId))!;
  await notifyRun(rt, run);
  return { runId, status: 'blocked', exitCode: 2, plan, run };
}

/** Continues an unfinished run from its stored plan: no target read, no completed call repeated. */
export async function resumeSync(
  rt: Runtime,
  req: Pick<SyncRequest, 'onProgress' | 'signal'>,
  runId?: string,
): Promise<SyncOutcome> {
  const run = runId ? await rt.store.getRun(runId) : await rt.store.unfinishedRun();
  if (!run)
    throw new RostersyncError(
      'NO_RUN_TO_RESUME',
      runId ? `run ${runId} is not in the store` : `profile ${rt.profile.name} has no unfinished run to resume`,
    );
  if (run.status !== 'running')
    throw new RostersyncError('NO_RUN_TO_RESUME', `run ${run.runId} has already finished (${run.status})`);
  const plan = await rt.store.plan(run.runId);
  if (!plan) throw new RostersyncError('NO_RUN_TO_RESUME', `run ${run.runId} has no stored plan`);
  rt.log.info({ runId: run.runId, done: run.done, total: run.totalOps }, 'resuming run');
  return driveRun(rt, run.runId, plan, { ...req, sourcePeople: run.source?.people });
}

export interface DriveOptions extends Pick<SyncRequest, 'onProgress' | 'signal'> {
  /** People the run's directory read returned: the profile's last source size once the run succeeds. */
  sourcePeople?: number;
  /** A joined read: people per source, each source's last good size once the run succeeds. */
  sourceSizes?: { name: string; people: number }[];
}

/**
 * The one run driver: applies a run already recorded with its plan (store.startRun) through the
 * queue, phase by phase, and records how it ended. Ops that have an outcome are not enqueued again, and
 * a job id is per plan and op, so a resumed run repeats no completed call and two drivers of one run
 * send each op once. The workers are this runtime's (rt.startWorkers) or any other process's on the same
 * Redis. An abort (signal) throws and leaves the run `running`, for resumeSync. runSync, resumeSync and
 * applyReviewedPlan all end here.
 */
export async function driveRun(rt: Runtime, runId: string, plan: Plan, req: DriveOptions = {}): Promise<SyncOutcome> {
  const { store, log, config } = rt;
  const people = req.sourcePeople;
  const t0 = performance.now();
  await applyPlan(
    {
      queue: rt.queue,
      store,
      log,
      retry: { attempts: config.queue.attempts, backoffMs: config.queue.backoffMs },
      lookahead: config.queue.concurrency,
      window: config.queue.window,
      ...(req.onProgress ? { onProgress: req.onProgress } : {}),
      ...(req.signal ? { signal: req.signal } : {}),
    },
    runId,
    rt.profile.name,
    plan,
  );
  const view = (await store.getRun(runId))!;
  const failed = Object.entries(view.counts)
    .filter(([k]) => k.endsWith('.failed') || k.endsWith('.skipped-dependency'))
    .reduce((n, [, v]) => n + v, 0);
  const status: SyncStatus = failed > 0 ? 'partial' : 'succeeded';
  if (status === 'succeeded') {
    await store.commitCursor(runId);
    if (people !== undefined) await store.setLastSourceSize(people);
    if (req.sourceSizes) await store.setLastSourceSizes(req.sourceSizes);
  }
  const finished = await store.updateRun(runId, {
    status,
    finishedAt: new Date().toISOString(),
    timings: { ...(view.timings ?? {}), applyMs: Math.round(performance.now() - t0) },
  });
  log.info(
    { runId, planId: plan.id, status, ops: plan.phases.flat().length, counts: view.counts, failed },
    'sync finished',
  );
  await emitRunAudit(rt, runId);
  await notifyRun(rt, { ...view, ...finished });
  return { runId, status, exitCode: failed > 0 ? 1 : 0, plan, run: { ...view, ...finished } };
}

/** Applies a reviewed plan (from `plan --out`) as a run of its own, after checking it still fits the target. */
export async function applyReviewedPlan(
  rt: Runtime,
  plan: Plan,
  req: Pick<SyncRequest, 'onProgress' | 'signal'>,
): Promise<SyncOutcome> {
  const base = await beginRun(rt, 'apply', 'plan-file', plan);
  const { runId } = base;
  if (plan.blocked) {
    await rt.store.startRun({ ...base, status: 'blocked', finishedAt: new Date().toISOString() }, plan);
    return { runId, status: 'blocked', exitCode: 2, plan, run: (await rt.store.getRun(runId))! };
  }
  // The target as it is now: the plan is applied with what this read learns, not what its planner's did.
  const { actual, learned = {} } = await rt.target.read();
  const stale = staleOps(plan, actual);
  if (stale.length > 0) {
    const reason = `the target changed since the plan was made: ${stale.length} op(s) refer to users or teams that are gone (${stale.slice(0, 3).join(', ')}${stale.length > 3 ? ', …' : ''}); make a new plan`;
    await rt.store.startRun(
      { ...base, status: 'blocked', blocked: { code: 'PLAN_STALE', reason }, finishedAt: new Date().toISOString() },
      plan,
      learned,
    );
    return { runId, status: 'blocked', exitCode: 2, plan, run: (await rt.store.getRun(runId))! };
  }
  await rt.store.startRun(base, plan, learned);
  return driveRun(rt, runId, plan, req);
}

/** Ops of a plan that name a user or team id the target no longer has. */
export function staleOps(plan: Plan, actual: import('../model/index.js').Actual): string[] {
  const users = new Set(actual.users.map((u) => u.id));
  const teams = new Set(actual.teams.map((t) => t.id));
  return plan.phases
    .flat()
    .filter((op) => {
      const teamId = 'team' in op ? op.team?.id : undefined;
      const userId = 'user' in op ? op.user.id : undefined;
      return (teamId !== undefined && !teams.has(teamId)) || (userId !== undefined && !users.has(userId));
    })
    .map((op) => op.key);
}
