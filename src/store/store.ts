import type { Redis } from 'ioredis';
import { phaseOf, type Op, type Plan } from '../model/index.js';
import type { PlanObservations } from '../plan/plan-input.js';
import type { PlanState } from '../app/plan-sync.js';
import { profileKeys, type ProfileKeys } from './keys.js';
import type { OpOutcomeKind, RunRecord, RunView } from './run-record.js';

export interface OutcomeInput {
  op: Op;
  outcome: OpOutcomeKind;
  detail?: string;
  /** Id the op created or found (user or team). */
  createdId?: string;
  /** Resolved ids, for memberships the sync granted or removed. */
  userId?: string;
  teamId?: string;
}

const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;
const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;

/** One profile's state in Redis: identity links, tombstones, cursors, run records and op outcomes. */
export class Store {
  readonly keys: ProfileKeys;

  constructor(readonly redis: Redis, readonly prefix: string, readonly profile: string, private readonly keepRuns = 50) {
    this.keys = profileKeys(prefix, profile);
  }

  async planState(): Promise<PlanState> {
    const k = this.keys;
    const [users, teams, granted, tombs, size, cursor] = await Promise.all([
      this.redis.hgetall(k.userLinks), this.redis.hgetall(k.teamLinks), this.redis.smembers(k.granted),
      this.redis.hgetall(k.tombstones), this.redis.get(k.lastSourceSize), this.redis.get(k.cursor),
    ]);
    return {
      links: { users: new Map(Object.entries(users)), teams: new Map(Object.entries(teams)), granted: new Set(granted) },
      tombstones: new Map(Object.entries(tombs).map(([id, ms]) => [id, Number(ms)])),
      ...(size !== null ? { lastSourceSize: Number(size) } : {}),
      ...(cursor !== null ? { cursor } : {}),
    };
  }

  /** Facts the planner found: email-matched links, first absences (grace period), returns. */
  async saveObservations(obs: PlanObservations, now: number): Promise<void> {
    const m = this.redis.multi();
    for (let i = 0; i < obs.userLinks.length; i += 1000) m.hset(this.keys.userLinks, Object.fromEntries(obs.userLinks.slice(i, i + 1000)));
    for (let i = 0; i < obs.teamLinks.length; i += 1000) m.hset(this.keys.teamLinks, Object.fromEntries(obs.teamLinks.slice(i, i + 1000)));
    for (const id of obs.newlyAbsent) m.hsetnx(this.keys.tombstones, id, String(now));
    if (obs.reappeared.length > 0) m.hdel(this.keys.tombstones, ...obs.reappeared);
    await m.exec();
  }

  async setLastSourceSize(people: number): Promise<void> {
    await this.redis.set(this.keys.lastSourceSize, String(people));
  }

  // --- cursors: staged with the run, committed only once it applied ---

  async stageCursor(runId: string, cursor: string): Promise<void> {
    await this.redis.set(this.keys.run(runId).pendingCursor, cursor, 'EX', 30 * 86_400);
  }

  async commitCursor(runId: string): Promise<boolean> {
    const pending = await this.redis.get(this.keys.run(runId).pendingCursor);
    if (pending === null) return false;
    await this.redis.multi().set(this.keys.cursor, pending).del(this.keys.run(runId).pendingCursor).exec();
    return true;
  }

  // --- runs ---

  async startRun(record: RunRecord, plan?: Plan): Promise<void> {
    const r = this.keys.run(record.runId);
    const m = this.redis.multi().set(r.record, JSON.stringify(record)).zadd(this.keys.runs, Date.parse(record.startedAt), record.runId);
    if (plan) m.set(r.plan, JSON.stringify(plan));
    await m.exec();
    await this.trimRuns();
  }

  async updateRun(runId: string, patch: Partial<RunRecord>): Promise<RunRecord> {
    const key = this.keys.run(runId).record;
    const current = JSON.parse((await this.redis.get(key)) ?? 'null') as RunRecord | null;
    if (!current) throw new Error(`run ${runId} is not in the store`);
    const next = { ...current, ...patch };
    await this.redis.set(key, JSON.stringify(next));
    return next;
  }

  async plan(runId: string): Promise<Plan | undefined> {
    const text = await this.redis.get(this.keys.run(runId).plan);
    return text ? (JSON.parse(text) as Plan) : undefined;
  }

  async getRun(runId: string): Promise<RunView | undefined> {
    const r = this.keys.run(runId);
    const [record, counts, failures] = await Promise.all([this.redis.get(r.record), this.redis.hgetall(r.counts), this.redis.lrange(r.failures, 0, 99)]);
    if (!record) return undefined;
    const c = Object.fromEntries(Object.entries(counts).map(([k, v]) => [k, Number(v)]));
    return { ...(JSON.parse(record) as RunRecord), counts: c, done: c.done ?? 0, failures: failures.map((f) => JSON.parse(f) as { opKey: string; reason: string }) };
  }

  async listRuns(limit = 20): Promise<RunView[]> {
    const ids = await this.redis.zrevrange(this.keys.runs, 0, limit - 1);
    const runs = await Promise.all(ids.map((id) => this.getRun(id)));
    return runs.filter((r): r is RunView => r !== undefined);
  }

  /** The newest run still marked running (crashed or in progress), for --resume. */
  async unfinishedRun(): Promise<RunView | undefined> {
    return (await this.listRuns(this.keepRuns)).find((r) => r.status === 'running');
  }

  private async trimRuns(): Promise<void> {
    const old = await this.redis.zrange(this.keys.runs, 0, -(this.keepRuns + 1));
    if (old.length === 0) return;
    const m = this.redis.multi().zrem(this.keys.runs, ...old);
    for (const id of old) m.del(...Object.values(this.keys.run(id)));
    await m.exec();
  }

  // --- op outcomes: recorded once per op, the source of truth for progress and resume ---

  /** Records an op's outcome (the first one wins: a redone op is not counted twice) and its links. */
  async recordOutcome(runId: string, o: OutcomeInput): Promise<boolean> {
    const r = this.keys.run(runId);
    const first = await this.redis.hsetnx(r.outcomes, o.op.key, JSON.stringify({ outcome: o.outcome, ...(o.detail ? { detail: o.detail } : {}) }));
    const m = this.redis.multi();
    if (first === 1) {
      m.hincrby(r.counts, `${o.op.kind}.${o.outcome}`, 1).hincrby(r.counts, 'done', 1).hincrby(r.counts, `phase.${phaseOf(o.op.kind)}`, 1);
      if (o.outcome === 'failed' || o.outcome === 'skipped-dependency') m.rpush(r.failures, JSON.stringify({ opKey: o.op.key, reason: o.detail ?? o.outcome }));
    }
    const ok = o.outcome === 'applied' || o.outcome === 'already-done';
    if (ok) this.linkEffects(m, runId, o);
    await m.exec();
    return first === 1;
  }

  private linkEffects(m: ReturnType<Redis['multi']>, runId: string, o: OutcomeInput): void {
    const r = this.keys.run(runId);
    const op = o.op;
    if (op.kind === 'createTeam' && o.createdId) {
      m.hset(this.keys.teamLinks, op.teamKey, o.createdId).hset(r.created, `team:${op.team.name.toLowerCase()}`, o.createdId);
    }
    if (op.kind === 'renameTeam') m.hset(this.keys.teamLinks, op.teamKey, op.team.id);
    if (op.kind === 'createUser' && o.createdId) {
      if (op.user.sourceId) m.hset(this.keys.userLinks, op.user.sourceId, o.createdId).hset(r.created, `user:${op.user.sourceId}`, o.createdId);
      if (o.teamId) m.sadd(this.keys.granted, `${o.createdId}|${o.teamId}`);
    }
    if (op.kind === 'addMember' && o.userId && o.teamId) m.sadd(this.keys.granted, `${o.userId}|${o.teamId}`);
    if (op.kind === 'removeMember') m.srem(this.keys.granted, `${op.user.id}|${op.team.id}`);
    if (op.kind === 'deleteUser') {
      m.hdel(this.keys.tombstones, op.user.id);
      if (op.user.sourceId) m.hdel(this.keys.userLinks, op.user.sourceId);
    }
  }

  async phaseDone(runId: string, phase: number): Promise<number> {
    return Number((await this.redis.hget(this.keys.run(runId).counts, `phase.${phase}`)) ?? 0);
  }

  async outcomes(runId: string, opKeys: string[]): Promise<(OpOutcomeKind | undefined)[]> {
    if (opKeys.length === 0) return [];
    const raw = await this.redis.hmget(this.keys.run(runId).outcomes, ...opKeys);
    return raw.map((v) => (v ? (JSON.parse(v) as { outcome: OpOutcomeKind }).outcome : undefined));
  }

  /** Keys of the ops of a run that have an outcome. */
  async doneKeys(runId: string): Promise<Set<string>> {
    return new Set(await this.redis.hkeys(this.keys.run(runId).outcomes));
  }

  async createdTeamId(runId: string, name: string): Promise<string | undefined> {
    return (await this.redis.hget(this.keys.run(runId).created, `team:${name.toLowerCase()}`)) ?? undefined;
  }

  async createdUserId(runId: string, sourceId: string): Promise<string | undefined> {
    return (await this.redis.hget(this.keys.run(runId).created, `user:${sourceId}`)) ?? undefined;
  }

  // --- one run per profile at a time ---

  async acquireLock(owner: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.set(this.keys.lock, owner, 'PX', ttlMs, 'NX')) === 'OK';
  }

  async renewLock(owner: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.eval(RENEW, 1, this.keys.lock, owner, String(ttlMs))) === 1;
  }

  async releaseLock(owner: string): Promise<void> {
    await this.redis.eval(RELEASE, 1, this.keys.lock, owner);
  }
}
