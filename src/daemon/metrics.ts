import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { RunRecord } from '../store/run-record.js';

/** How a sync job ended: a run's status, or why no run happened. */
export type SyncJobResult =
  | 'succeeded'
  | 'partial'
  | 'blocked'
  | 'failed'
  | 'waiting'
  | 'rejected'
  | 'refused-overlap'
  | 'interrupted'
  | 'nothing-to-resume'
  | 'not-pending';

/**
 * The daemon's Prometheus metrics, on a registry of its own (never the global one). Counters are per
 * process: with several replicas, sum them in the query (`sum by (kind, outcome) (...)`).
 */
export class Metrics {
  readonly registry = new Registry();
  readonly runs = new Counter({
    name: 'rostersync_runs_total',
    help: 'Sync jobs by profile and result (a run status, or refused-overlap / interrupted / nothing-to-resume).',
    labelNames: ['profile', 'status'],
    registers: [this.registry],
  });
  readonly ops = new Counter({
    name: 'rostersync_ops_total',
    help: 'Op outcomes recorded by this process, by profile, op kind and outcome.',
    labelNames: ['profile', 'kind', 'outcome'],
    registers: [this.registry],
  });
  readonly apiCalls = new Counter({
    name: 'rostersync_api_calls_total',
    help: 'Target API calls by target and HTTP status (0 = no answer).',
    labelNames: ['target', 'status'],
    registers: [this.registry],
  });
  readonly rateLimited = new Counter({
    name: 'rostersync_api_rate_limited_total',
    help: '429 answers, by target.',
    labelNames: ['target'],
    registers: [this.registry],
  });
  readonly queueJobs = new Gauge({
    name: 'rostersync_queue_jobs',
    help: 'Jobs by queue (ops, syncs) and state.',
    labelNames: ['queue', 'state'],
    registers: [this.registry],
  });
  readonly budgetRate = new Gauge({
    name: 'rostersync_budget_calls_per_second',
    help: "A target's configured rate budget (with headroom), shared by every process on the Redis.",
    labelNames: ['target'],
    registers: [this.registry],
  });
  readonly budgetUse = new Gauge({
    name: 'rostersync_budget_use_ratio',
    help: "This process's API calls to a target in the last minute divided by what its budget allows in a minute.",
    labelNames: ['target'],
    registers: [this.registry],
  });
  readonly lastSuccess = new Gauge({
    name: 'rostersync_last_success_timestamp_seconds',
    help: 'End of the last successful sync per profile (run by this process).',
    labelNames: ['profile'],
    registers: [this.registry],
  });
  readonly runDuration = new Histogram({
    name: 'rostersync_run_duration_seconds',
    help: 'Sync run duration, read to last outcome.',
    labelNames: ['profile'],
    buckets: [1, 5, 15, 60, 300, 900, 3600, 10_800],
    registers: [this.registry],
  });
  readonly sourceDuration = new Histogram({
    name: 'rostersync_source_read_duration_seconds',
    help: 'Source read duration.',
    labelNames: ['profile', 'mode'],
    buckets: [0.1, 0.5, 1, 5, 15, 60, 300],
    registers: [this.registry],
  });
  readonly sourceCredentialsRefused = new Gauge({
    name: 'rostersync_source_credentials_refused',
    help: "1 while the profile's source refuses the configured credentials (the last sync run here failed so), else 0.",
    labelNames: ['profile'],
    registers: [this.registry],
  });
  readonly sourcePeople = new Gauge({
    name: 'rostersync_source_people',
    help: 'People in the last source read.',
    labelNames: ['profile'],
    registers: [this.registry],
  });
  readonly sourceGroups = new Gauge({
    name: 'rostersync_source_groups',
    help: 'Groups in the last source read.',
    labelNames: ['profile'],
    registers: [this.registry],
  });
  readonly runOps = new Gauge({
    name: 'rostersync_run_ops',
    help: "The run in progress in this process, per profile: its plan's ops (total) and those with an outcome (done).",
    labelNames: ['profile', 'state'],
    registers: [this.registry],
  });
  readonly redisUp = new Gauge({
    name: 'rostersync_redis_up',
    help: 'Whether Redis answered this process a PING within 1 s at the last scrape (1) or not (0).',
    registers: [this.registry],
  });
  readonly awaitingApproval = new Gauge({
    name: 'rostersync_run_awaiting_approval',
    help: 'Per profile: 1 while a blocked run waits for a person to approve or reject it, else 0 (read from Redis, so every replica says the same).',
    labelNames: ['profile'],
    registers: [this.registry],
  });
  readonly failedInARow = new Gauge({
    name: 'rostersync_runs_failed_in_a_row',
    help: 'Per profile: the newest finished runs that failed, counted back to one that did not (read from Redis, so every replica says the same; counts at most the runs read).',
    labelNames: ['profile'],
    registers: [this.registry],
  });
  /** Answer times of the last minute, per target. */
  private readonly recentCalls = new Map<string, number[]>();

  /** Hook: one answer from a target's API (status 0 when none came). */
  apiCall(target: string, status: number, now = Date.now()): void {
    this.apiCalls.inc({ target, status: String(status) });
    if (status === 429) this.rateLimited.inc({ target });
    let recent = this.recentCalls.get(target);
    if (!recent) this.recentCalls.set(target, (recent = []));
    recent.push(now);
    forget(recent, now);
  }

  /** Hook: an op's outcome, recorded once per op. */
  opOutcome(profile: string, kind: string, outcome: string): void {
    this.ops.inc({ profile, kind, outcome });
  }

  /** A profile's run in progress (or none: the gauges go back to 0). */
  runProgress(profile: string, progress?: { done: number; total: number }): void {
    this.runOps.set({ profile, state: 'done' }, progress?.done ?? 0);
    this.runOps.set({ profile, state: 'total' }, progress?.total ?? 0);
  }

  /** A sync job's end; a run that happened also reports its duration and source read. */
  syncFinished(
    profile: string,
    result: SyncJobResult,
    run?: { durationMs: number; source?: { readMs: number; people: number; groups: number }; mode: string },
    now = Date.now(),
  ): void {
    this.runs.inc({ profile, status: result });
    if (!run) return;
    this.runDuration.observe({ profile }, run.durationMs / 1000);
    if (run.source) {
      this.sourceDuration.observe({ profile, mode: run.mode }, run.source.readMs / 1000);
      this.sourcePeople.set({ profile }, run.source.people);
      this.sourceGroups.set({ profile }, run.source.groups);
    }
    if (result === 'succeeded') this.lastSuccess.set({ profile }, now / 1000);
  }

  /**
   * Refreshes a profile's run gauges from its run records, newest first: a run waiting for a decision
   * (one whose approval has lapsed no longer counts), and the failed runs in a row (a run still going
   * neither counts nor ends the row).
   */
  runsRead(profile: string, runs: readonly Pick<RunRecord, 'status' | 'approval'>[], now = Date.now()): void {
    const waiting = runs.some(
      (r) => r.status === 'blocked' && r.approval?.state === 'pending' && Date.parse(r.approval.expiresAt) > now,
    );
    this.awaitingApproval.set({ profile }, waiting ? 1 : 0);
    const finished = runs.filter((r) => r.status !== 'running');
    const row = finished.findIndex((r) => r.status !== 'failed');
    this.failedInARow.set({ profile }, row === -1 ? finished.length : row);
  }

  /** Refreshes a target's budget gauges, which are read, not counted, just before a scrape. */
  updateBudgetUse(target: string, ratePerSecond: number, now = Date.now()): void {
    const recent = this.recentCalls.get(target) ?? [];
    forget(recent, now);
    this.budgetRate.set({ target }, ratePerSecond);
    this.budgetUse.set({ target }, ratePerSecond > 0 ? recent.length / (ratePerSecond * 60) : 0);
  }
}

function forget(recent: number[], now: number): void {
  let drop = 0;
  while (drop < recent.length && recent[drop]! < now - 60_000) drop += 1;
  if (drop > 0) recent.splice(0, drop);
}
