import type { Redis } from 'ioredis';
import type { Plan } from '../model/index.js';
import { StoreError } from './store-error.js';
import type { ProfileKeys } from './keys.js';
import type { RunRecord, RunView } from './run-record.js';

/** Failures shown per run (the counts stay exact; the list is for people to read). */
const FAILURES_SHOWN = 100;

/**
 * Run records of one profile: the record (JSON), the plan it applies (for resume), its counts and
 * failures (written by OutcomeStore), indexed by start time. Only the last `keepRuns` are kept.
 */
export class RunStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: ProfileKeys,
    private readonly keepRuns: number,
  ) {}

  async start(record: RunRecord, plan?: Plan): Promise<void> {
    const r = this.keys.run(record.runId);
    const m = this.redis
      .multi()
      .set(r.record, JSON.stringify(record))
      .zadd(this.keys.runs, Date.parse(record.startedAt), record.runId);
    if (plan) m.set(r.plan, JSON.stringify(plan));
    await m.exec();
    await this.trim();
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

  async plan(runId: string): Promise<Plan | undefined> {
    const text = await this.redis.get(this.keys.run(runId).plan);
    return text ? (JSON.parse(text) as Plan) : undefined;
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
      failures: failures.map((f) => JSON.parse(f) as { opKey: string; reason: string }),
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
