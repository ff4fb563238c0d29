import { DelayedError, Worker, type Job, type Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { TargetHttpError, TargetResponseError } from '../errors/index.js';
import { isTransient } from '../targets/http/http-client.js';
import type { Logger } from '../log/logger.js';
import type { Op } from '../model/index.js';
import type { OutcomeInput, Store } from '../store/store.js';
import type { OpOutcomeKind } from '../store/run-record.js';
import type { IdResolver, OpOutcome, Target, TargetFacts } from '../targets/target.js';
import { OPS_QUEUE, type OpJobData } from './op-jobs.js';
import type { RateBudget } from './rate-budget.js';
import { readBack } from './verify-op.js';
import { memberWaits, settleMembers } from './listed-members.js';

export interface OpWorkerDeps {
  connection: Redis;
  queuePrefix: string;
  queue: Queue<OpJobData>;
  /** The target of the job's profile. */
  targetFor: (profile: string) => Target;
  storeFor: (profile: string) => Store;
  log: Logger;
  concurrency: number;
  /**
   * Ms until the job's target budget has a free slot. An op whose budget is booked further ahead
   * than `holdMs` goes back to the queue (delayed) instead of holding a worker slot while it waits,
   * so one target's slow budget never starves the others' ops on a shared worker.
   */
  budgetBacklog?: (profile: string) => Promise<number>;
  /** @defaultValue 250 */
  holdMs?: number;
  /** Told of each recorded outcome (metrics, progress). */
  onOutcome?: (op: Op, outcome: string, profile: string) => void;
  /**
   * Paused on a 429 with the queue. Targets wired with the budget's hooks have paused both already
   * (reads hit 429s too); pausing again is idempotent and covers targets without hooks.
   */
  budget?: RateBudget;
}

/** Runs ops: one job = one API call. Dependencies first, then the call, then its outcome in the store. */
export function startOpWorker(deps: OpWorkerDeps): Worker<OpJobData> {
  const learned = learnedFacts(deps.storeFor);
  const worker = new Worker<OpJobData>(OPS_QUEUE, (job, token) => processOp(deps, learned, job, token), {
    connection: deps.connection,
    prefix: deps.queuePrefix,
    concurrency: deps.concurrency,
    // A limiter must exist for queue.rateLimit() (a 429) to pause every worker, not just one.
    limiter: { max: 100_000, duration: 1000 },
    maxStalledCount: 5,
    // A crashed process's in-flight jobs return to the queue within ~20 s rather than the default ~60 s.
    lockDuration: 15_000,
    stalledInterval: 5_000,
  });
  // While Redis is away every reconnect attempt is an error event: the runtime logs the outage once,
  // so these stay at debug; anything else is a real worker error.
  worker.on('error', (err) =>
    deps.connection.status === 'ready'
      ? deps.log.error({ err }, 'op worker error')
      : deps.log.debug({ err: err.message }, 'op worker: redis unavailable'),
  );
  return worker;
}

/** Runs whose facts a worker keeps at once (a worker serves a few runs at a time: one per profile). */
const LEARNED_KEPT = 32;

/** Undefined for a run stored without them (by an earlier version): its ops apply as configured. */
type LearnedOf = (profile: string, runId: string) => Promise<TargetFacts | undefined>;

/**
 * What each run's target read learned, from the store, read once per run and worker: every op of a
 * run is applied with the facts its plan was made with, whichever process read the target.
 */
function learnedFacts(storeFor: OpWorkerDeps['storeFor']): LearnedOf {
  const kept = new Map<string, Promise<TargetFacts | undefined>>();
  return (profile, runId) => {
    const key = `${profile}\n${runId}`;
    let facts = kept.get(key);
    if (!facts) {
      facts = storeFor(profile).learned(runId);
      // A failed read (Redis away) is not kept: the job's retry reads again.
      facts.catch(() => kept.delete(key));
      kept.set(key, facts);
      if (kept.size > LEARNED_KEPT) kept.delete(kept.keys().next().value!);
    }
    return facts;
  };
}

/** Runs one op: its dependencies' outcomes first, then the budget, then the call, then its outcome in the store. */
async function processOp(
  deps: OpWorkerDeps,
  learnedOf: LearnedOf,
  job: Job<OpJobData>,
  token: string | undefined,
): Promise<string> {
  const { runId, profile, op } = job.data;
  const store = deps.storeFor(profile);
  const log = deps.log.child({ runId, op: op.key });
  const record: Recorder = async (outcome, extra = {}) => {
    if (await store.recordOutcome(runId, { op, outcome, ...extra })) deps.onOutcome?.(op, outcome, profile);
    log.debug({ kind: op.kind, outcome, detail: extra.detail && store.scrub(extra.detail) }, 'op outcome');
    return outcome;
  };

  const gate = await readGate(store, runId, op);
  if (gate.kind === 'done') {
    // A job added again after its op finished (a stall sweep racing completion): never call twice.
    log.debug({ kind: op.kind, outcome: gate.outcome }, 'op already has an outcome');
    return gate.outcome;
  }
  // The next phase starts while the last calls of this one are in flight: wait for them, briefly.
  if (gate.kind === 'wait') return delay(job, token, 50);
  if (gate.kind === 'settled') return record(gate.outcome, { detail: gate.detail });

  const backlog = (await deps.budgetBacklog?.(profile)) ?? 0;
  if (backlog > (deps.holdMs ?? 250)) return delay(job, token, backlog);

  const ids = idResolver(store, runId);
  const out = await callTarget(deps, job, gate.call, ids, await learnedOf(profile, runId), log);
  if (typeof out === 'string') return record('failed', { detail: out });
  // Outside the call: a Redis error while recording is retried as such, never recorded as the op failing.
  return record(out.status, await outcomeExtras(op, out, ids, gate.leftOut));
}

/** What the store keeps with an outcome besides the op and the outcome itself. */
type OutcomeExtras = Omit<OutcomeInput, 'op' | 'outcome'>;
type Recorder = (outcome: OpOutcomeKind, extra?: OutcomeExtras) => Promise<OpOutcomeKind>;

type Gate =
  | { kind: 'done'; outcome: OpOutcomeKind }
  | { kind: 'wait' }
  | { kind: 'settled'; outcome: 'skipped-dependency' | 'deferred'; detail: string }
  | { kind: 'go'; call: Op; leftOut: string[] };

/**
 * One read for the op's own outcome, its dependencies' and (a whole-container write) its new
 * members' accounts: whether it already ran, must wait, cannot run, or runs, and with which list.
 */
async function readGate(store: Store, runId: string, op: Op): Promise<Gate> {
  const waits = memberWaits(op);
  const keys = [op.key, ...op.dependsOn, ...waits];
  const outcomes = await store.outcomes(runId, keys);
  const own = outcomes[0];
  if (own !== undefined) return { kind: 'done', outcome: own };
  const dep = outcomes.slice(1, 1 + op.dependsOn.length);
  if (dep.some((o) => o === undefined)) return { kind: 'wait' };
  const blocker = op.dependsOn.find(
    (_, i) => dep[i] !== 'applied' && dep[i] !== 'already-done' && dep[i] !== 'deferred',
  );
  if (blocker !== undefined)
    return { kind: 'settled', outcome: 'skipped-dependency', detail: `depends on ${blocker}, which did not succeed` };
  // Waiting is not failing: an op after one that waits for a first sign-in waits with it.
  const waitsFor = op.dependsOn.find((_, i) => dep[i] === 'deferred');
  if (waitsFor !== undefined) return { kind: 'settled', outcome: 'deferred', detail: `waits with ${waitsFor}` };
  if (op.kind !== 'setMembers') return { kind: 'go', call: op, leftOut: [] };
  // A whole-container write waits for its new members' accounts, and leaves out any that failed.
  const byKey = new Map(waits.map((k, i) => [k, outcomes[1 + op.dependsOn.length + i]]));
  const settled = settleMembers(op, (k) => byKey.get(k));
  return settled === 'wait' ? { kind: 'wait' } : { kind: 'go', call: settled.op, leftOut: settled.leftOut };
}

async function delay(job: Job<OpJobData>, token: string | undefined, ms: number): Promise<never> {
  await job.moveToDelayed(Date.now() + ms, token);
  throw new DelayedError();
}

/** Ids unknown at plan time: created by this run (by name / directory id), else the identity links. */
function idResolver(store: Store, runId: string): IdResolver {
  return {
    teamId: async (team, key) =>
      (await store.createdTeamId(runId, team)) ?? (key ? await store.links.teamId(key) : undefined),
    userId: async (sourceId) =>
      sourceId ? ((await store.createdUserId(runId, sourceId)) ?? (await store.links.userId(sourceId))) : undefined,
    teamIdByKey: (key) => store.links.teamId(key),
  };
}

/**
 * The call, and what its answer means: the outcome, or the failure's detail. A 429 pauses every
 * worker and budget (no attempt spent); a transient failure before the last attempt is retried.
 */
async function callTarget(
  deps: OpWorkerDeps,
  job: Job<OpJobData>,
  call: Op,
  ids: IdResolver,
  learned: TargetFacts | undefined,
  log: Logger,
): Promise<OpOutcome | string> {
  const target = deps.targetFor(job.data.profile);
  try {
    return await target.apply(call, ids, learned);
  } catch (err) {
    if (err instanceof TargetHttpError && err.status === 429) {
      // Pause every worker (the queue's limiter) and every process's budget; no attempt is spent.
      const ms = err.retryAfterMs ?? 1000;
      await Promise.all([deps.queue.rateLimit(ms), deps.budget?.pause(ms)]);
      throw Worker.RateLimitError();
    }
    // Unreadable answers count too: the write may have applied, and its retry meets the target's
    // idempotent answer (409 exists, 404 gone), which reads the result back.
    const transient = isTransient(err);
    const last = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    if (transient && !last) {
      const reason = deps.storeFor(job.data.profile).scrub((err as Error).message);
      log.debug({ attempt: job.attemptsMade + 1, reason }, 'op will be retried');
      throw err;
    }
    // The last answer was unreadable: the call may have applied. Read the target back before
    // saying it failed, so an applied op neither fails nor takes its dependants down with it.
    const seen = err instanceof TargetResponseError ? await verifyByReading(target, call, ids, log) : undefined;
    // A permanent answer (or the last attempt): the op fails with the API's message, the job completes.
    if (seen) return seen;
    return err instanceof TargetResponseError
      ? `${err.message} (reading the target back did not show the change)`
      : (err as Error).message;
  }
}

/** What the store keeps with an outcome: ids to link, and the detail (members a whole list left out). */
async function outcomeExtras(op: Op, out: OpOutcome, ids: IdResolver, leftOut: string[]): Promise<OutcomeExtras> {
  const teamId = 'team' in op && op.team ? (op.team.id ?? (await ids.teamId(op.team))) : undefined;
  const userId =
    'user' in op ? (op.user.id ?? out.createdId ?? (await ids.userId(op.user.sourceId, op.user.email))) : undefined;
  const detail = [out.detail, leftOut.length > 0 ? `left out (no account): ${leftOut.join(', ')}` : undefined]
    .filter(Boolean)
    .join('; ');
  return {
    ...(detail ? { detail } : {}),
    ...(out.createdId ? { createdId: out.createdId } : {}),
    ...(teamId ? { teamId } : {}),
    ...(userId ? { userId } : {}),
    ...(out.teamIds ? { teamIds: out.teamIds } : {}),
    ...(leftOut.length > 0 ? { leftOut } : {}),
  };
}

async function verifyByReading(target: Target, op: Op, ids: IdResolver, log: Logger): Promise<OpOutcome | undefined> {
  try {
    const [{ actual }, teamId, userId] = await Promise.all([
      target.read(),
      'team' in op && op.team && !op.team.id ? ids.teamId(op.team) : undefined,
      'user' in op && !op.user.id ? ids.userId(op.user.sourceId, op.user.email) : undefined,
    ]);
    return readBack(op, actual, { ...(teamId ? { teamId } : {}), ...(userId ? { userId } : {}) });
  } catch (err) {
    log.debug({ reason: (err as Error).message }, 'reading back after an unreadable answer failed');
    return undefined;
  }
}
