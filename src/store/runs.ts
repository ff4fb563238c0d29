import type { Redis } from 'ioredis';
import type { Op, Plan } from '../model/index.js';
import type { TargetFacts } from '../targets/target.js';
import { StoreError } from './store-error.js';
import type { ProfileKeys } from './keys.js';
import type { RunRecord, RunView } from './run-record.js';

/** Failures shown per run (the counts stay exact; the list is for people to read). */
const FAILURES_SHOWN = 100;
/** A stored plan's ops: this many per list entry, and this many entries per Redis call (about 5 MB). */
const OPS_PER_CHUNK = 2000;
const CHUNKS_PER_CALL = 8;

/** The decision a person took on a blocked run, claimed before it is carried out. */
export interface DecisionClaim {
  /** Identifies this decision: its carrier (a sync worker's job) claims again with the same id. */
  id: string;
  action: 'approve' | 'reject';
  by: string;
  at: string;
}

export type ClaimResult =
  | { result: 'won' }
  /** Another decision was claimed first: the one that holds the run. */
  | { result: 'taken'; held: DecisionClaim }
  /** The run is missing, or not blocked waiting for a decision. */
  | { result: 'not-pending' };

/**
 * Compare and set, in one step on the server: the claim is taken only while the run record says
 * blocked and pending and no other claim holds it; the same claim (its id) taking it again wins.
 */
const CLAIM = `
local text = redis.call('GET', KEYS[1])
if not text then return {'not-pending', ''} end
local ok, rec = pcall(cjson.decode, text)
if not ok or type(rec) ~= 'table' or rec.status ~= 'blocked' or type(rec.approval) ~= 'table'
  or rec.approval.state ~= 'pending' then return {'not-pending', ''} end
local held = redis.call('GET', KEYS[2])
if held then
  local ok2, h = pcall(cjson.decode, held)
  if ok2 and type(h) == 'table' and h.id == ARGV[2] then return {'won', held} end
  return {'taken', held}
end
redis.call('SET', KEYS[2], ARGV[1])
return {'won', ARGV[1]}
`;

/** Drops a claim, only if it is still this one (a decision that could not be carried out). */
const RELEASE = `
local held = redis.call('GET', KEYS[1])
if not held then return 0 end
local ok, h = pcall(cjson.decode, held)
if ok and type(h) == 'table' and h.id == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

/** A plan as stored under its key: everything but the ops, and each phase's size. */
type PlanHead = Omit<Plan, 'phases'> & { phases: number[] };

/**
 * Run records of one profile: the record (JSON), the plan it applies (for resume) and what the
 * target read that made it learned (the facts its ops are applied with), its counts and failures (written by OutcomeStore), indexed by start time. Only the last `keepRuns` are kept.
 */
export class RunStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: ProfileKeys,
    private readonly keepRuns: number,
  ) {}

  async start(record: RunRecord, plan?: Plan, learned?: TargetFacts): Promise<void> {
    const r = this.keys.run(record.runId);
    // The ops first, a few chunks per round trip, so neither this process nor Redis ever holds the
    // plan as one string (750,000 ops are 200 MB of JSON); the record and the plan's head last, so a
    // run is never seen with half a plan.
    if (plan) await this.writeOps(r.planOps, plan.phases.flat());
    const m = this.redis
      .multi()
      .set(r.record, JSON.stringify(record))
      .zadd(this.keys.runs, Date.parse(record.startedAt), record.runId);
    if (plan) m.set(r.plan, JSON.stringify({ ...plan, phases: plan.phases.map((p) => p.length) } satisfies PlanHead));
    if (learned) m.set(r.learned, JSON.stringify(learned));
    await m.exec();
    await this.trim();
  }

  private async writeOps(key: string, ops: Op[]): Promise<void> {
    await this.redis.del(key);
    for (let i = 0; i < ops.length; i += OPS_PER_CHUNK * CHUNKS_PER_CALL) {
      const chunks: string[] = [];
      for (let j = i; j < Math.min(i + OPS_PER_CHUNK * CHUNKS_PER_CALL, ops.length); j += OPS_PER_CHUNK)
        chunks.push(JSON.stringify(ops.slice(j, Math.min(j + OPS_PER_CHUNK, ops.length))));
      await this.redis.rpush(key, ...chunks);
    }
  }

  /** Only the driver of a run (driveRun, src/app/run-sync.ts) writes its record, so read-modify-write is safe here. */
  async update(runId: string, patch: Partial<RunRecord>): Promise<RunRecord> {
    const key = this.keys.run(runId).record;
    const text = await this.redis.get(key);
    if (text === null) throw new StoreError('RUN_NOT_FOUND', `run ${runId} is not in the store`);
    const next = { ...(JSON.parse(text) as RunRecord), ...patch };
    await this.redis.set(key, JSON.stringify(next));
    return next;
  }

  /**
   * Claims the decision on a blocked run, atomically: of concurrent deciders (pages, replicas, the
   * CLI) exactly one wins; the others are told who holds it.
   */
  async claimDecision(runId: string, claim: DecisionClaim): Promise<ClaimResult> {
    const r = this.keys.run(runId);
    const [result, held] = (await this.redis.eval(CLAIM, 2, r.record, r.decision, JSON.stringify(claim), claim.id)) as [
      string,
      string,
    ];
    if (result === 'won') return { result: 'won' };
    if (result === 'taken') return { result: 'taken', held: JSON.parse(held) as DecisionClaim };
    return { result: 'not-pending' };
  }

  /** Gives a claim back when its decision was not carried out (not queued, or refused for an overlap). */
  async releaseDecision(runId: string, claimId: string): Promise<void> {
    await this.redis.eval(RELEASE, 1, this.keys.run(runId).decision, claimId);
  }

  /** What the run's target read learned; none for a run stored without it (its ops apply as configured). */
  async learned(runId: string): Promise<TargetFacts | undefined> {
    const text = await this.redis.get(this.keys.run(runId).learned);
    return text === null ? undefined : (JSON.parse(text) as TargetFacts);
  }

  async plan(runId: string): Promise<Plan | undefined> {
    const r = this.keys.run(runId);
    const text = await this.redis.get(r.plan);
    if (!text) return undefined;
    const head = JSON.parse(text) as PlanHead | Plan;
    // Plans stored whole (before ops were chunked) still read.
    if (head.phases.every((p) => Array.isArray(p))) return head as Plan;
    const ops: Op[] = [];
    for (let start = 0; ; start += CHUNKS_PER_CALL) {
      const chunks = await this.redis.lrange(r.planOps, start, start + CHUNKS_PER_CALL - 1);
      for (const c of chunks) for (const op of JSON.parse(c) as Op[]) ops.push(op);
      if (chunks.length < CHUNKS_PER_CALL) break;
    }
    const sizes = head.phases as number[];
    const total = sizes.reduce((n, k) => n + k, 0);
    if (ops.length !== total)
      throw new StoreError('PLAN_INCOMPLETE', `the stored plan of run ${runId} has ${ops.length} ops of ${total}`);
    let at = 0;
    return { ...head, phases: sizes.map((k) => ops.slice(at, (at += k))) } as Plan;
  }

  async get(runId: string): Promise<RunView | undefined> {
    const r = this.keys.run(runId);
    const [record, counts, failures] = await Promise.all([
      this.redis.get(r.record),
      this.redis.hgetall(r.counts),
      this.redis.lrange(r.failures, 0, FAILURES_SHOWN - 1),
    ]);
    if (!record) return undefined;
    const c = Object.fromEntries(Object.entries(counts).map(([k, v]) => [k, Number(v)]));
    return {
      ...(JSON.parse(record) as RunRecord),
      counts: c,
      done: c.done ?? 0,
      failures: failures.map((f) => JSON.parse(f) as { opKey: string; what?: string; reason: string }),
    };
  }

  /** Newest first. */
  async list(limit = 20): Promise<RunView[]> {
    const ids = await this.redis.zrevrange(this.keys.runs, 0, limit - 1);
    const runs = await Promise.all(ids.map((id) => this.get(id)));
    return runs.filter((r): r is RunView => r !== undefined);
  }

  /** The newest run still marked running (crashed or in progress), for resume. */
  async unfinished(): Promise<RunView | undefined> {
    return (await this.list(this.keepRuns)).find((r) => r.status === 'running');
  }

  private async trim(): Promise<void> {
    const old = await this.redis.zrange(this.keys.runs, 0, -(this.keepRuns + 1));
    if (old.length === 0) return;
    const m = this.redis.multi().zrem(this.keys.runs, ...old);
    for (const id of old) m.del(...Object.values(this.keys.run(id)));
    await m.exec();
  }
}
