import type { TeamRef } from '../model/index.js';
import type { Redis } from 'ioredis';
import type { Plan } from '../model/index.js';
import type { PlanObservations } from '../plan/plan-input.js';
import type { PlanState } from '../app/plan-sync.js';
import type { TargetFacts } from '../targets/target.js';
import { CursorStore } from './cursors.js';
import { profileKeys, type ProfileKeys } from './keys.js';
import { LinkStore } from './links.js';
import { OutcomeStore, type OutcomeInput } from './outcomes.js';
import { AuditLog } from './audit-log.js';
import { maskUrlsOnly, type Scrub } from '../log/scrub-secrets.js';
import { RunLock } from './run-lock.js';
import type { OpOutcomeKind, RunRecord, RunView } from './run-record.js';
import { RunStore, type ClaimResult, type DecisionClaim } from './runs.js';
import { TombstoneStore } from './tombstones.js';

export type { OutcomeInput } from './outcomes.js';
export type { ClaimResult, DecisionClaim } from './runs.js';

/**
 * One profile's state in Redis, one module per concern (links, tombstones, cursors, runs, op
 * outcomes, the run lock, the source's kept state); this class wires them on one connection and
 * key scheme.
 */
export class Store {
  readonly keys: ProfileKeys;
  readonly links: LinkStore;
  readonly tombstones: TombstoneStore;
  readonly cursors: CursorStore;
  readonly runs: RunStore;
  readonly ops: OutcomeStore;
  readonly audit: AuditLog;
  readonly lock: RunLock;

  /**
   * @param keepRuns run records kept per profile (config `queue.keepRuns`). @defaultValue 50
   * @param scrub blanks the config's secrets in failure texts before they are stored.
   */
  constructor(
    readonly redis: Redis,
    readonly prefix: string,
    readonly profile: string,
    keepRuns = 50,
    readonly scrub: Scrub = maskUrlsOnly,
  ) {
    this.keys = profileKeys(prefix, profile);
    this.links = new LinkStore(redis, this.keys);
    this.tombstones = new TombstoneStore(redis, this.keys);
    this.cursors = new CursorStore(redis, this.keys);
    this.runs = new RunStore(redis, this.keys, keepRuns);
    this.ops = new OutcomeStore(redis, this.keys, scrub);
    this.audit = new AuditLog(redis, this.keys);
    this.lock = new RunLock(redis, this.keys.lock);
  }

  /** Everything the planner needs from earlier runs. */
  async planState(): Promise<PlanState> {
    const [links, tombstones, lastSourceSize, cursor, lastSourceSizes] = await Promise.all([
      this.links.load(),
      this.tombstones.load(),
      this.cursors.lastSourceSize(),
      this.cursors.committed(),
      this.cursors.lastSourceSizes(),
    ]);
    return {
      links,
      tombstones,
      ...(lastSourceSize !== undefined ? { lastSourceSize } : {}),
      ...(Object.keys(lastSourceSizes).length > 0 ? { lastSourceSizes } : {}),
      ...(cursor !== undefined ? { cursor } : {}),
    };
  }

  /** Facts the planner found (email-matched links, group names of teams, first absences, returns), in one round trip. */
  async saveObservations(obs: PlanObservations, now: number): Promise<void> {
    const m = this.redis.multi();
    this.links.queueSave(m, {
      users: obs.userLinks,
      teams: obs.teamLinks,
      ...(obs.teamGroups ? { teamGroups: obs.teamGroups } : {}),
    });
    this.tombstones.queueUpdate(m, { absent: obs.newlyAbsent, reappeared: obs.reappeared }, now);
    await m.exec();
  }

  setLastSourceSize(people: number): Promise<void> {
    return this.cursors.setLastSourceSize(people);
  }

  setLastSourceSizes(sizes: readonly { name: string; people: number }[]): Promise<void> {
    return this.cursors.setLastSourceSizes(sizes);
  }

  stageCursor(runId: string, cursor: string): Promise<void> {
    return this.cursors.stage(runId, cursor);
  }

  commitCursor(runId: string): Promise<boolean> {
    return this.cursors.commit(runId);
  }

  /** `learned`: what the target read behind the plan learned; the run's ops are applied with it. */
  startRun(record: RunRecord, plan?: Plan, learned?: TargetFacts): Promise<void> {
    return this.runs.start(record, plan, learned);
  }

  learned(runId: string): Promise<TargetFacts | undefined> {
    return this.runs.learned(runId);
  }

  updateRun(runId: string, patch: Partial<RunRecord>): Promise<RunRecord> {
    return this.runs.update(runId, patch);
  }

  plan(runId: string): Promise<Plan | undefined> {
    return this.runs.plan(runId);
  }

  claimDecision(runId: string, claim: DecisionClaim): Promise<ClaimResult> {
    return this.runs.claimDecision(runId, claim);
  }

  releaseDecision(runId: string, claimId: string): Promise<void> {
    return this.runs.releaseDecision(runId, claimId);
  }

  getRun(runId: string): Promise<RunView | undefined> {
    return this.runs.get(runId);
  }

  listRuns(limit = 20): Promise<RunView[]> {
    return this.runs.list(limit);
  }

  unfinishedRun(): Promise<RunView | undefined> {
    return this.runs.unfinished();
  }

  recordOutcome(runId: string, o: OutcomeInput): Promise<boolean> {
    return this.ops.record(runId, o);
  }

  phaseDone(runId: string, phase: number): Promise<number> {
    return this.ops.phaseDone(runId, phase);
  }

  outcomes(runId: string, opKeys: string[]): Promise<(OpOutcomeKind | undefined)[]> {
    return this.ops.outcomes(runId, opKeys);
  }

  doneKeys(runId: string): Promise<Set<string>> {
    return this.ops.doneKeys(runId);
  }

  createdTeamId(runId: string, team: TeamRef): Promise<string | undefined> {
    return this.ops.createdTeamId(runId, team);
  }

  createdUserId(runId: string, sourceId: string): Promise<string | undefined> {
    return this.ops.createdUserId(runId, sourceId);
  }

  acquireLock(owner: string, ttlMs: number): Promise<boolean> {
    return this.lock.acquire(owner, ttlMs);
  }

  renewLock(owner: string, ttlMs: number): Promise<boolean> {
    return this.lock.renew(owner, ttlMs);
  }

  releaseLock(owner: string): Promise<void> {
    return this.lock.release(owner);
  }
}
