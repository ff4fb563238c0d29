import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** The daemon's Prometheus metrics, on a registry of its own (never the global one). */
export class Metrics {
  readonly registry = new Registry();
  readonly runs = new Counter({ name: 'rostersync_runs_total', help: 'Sync runs by profile and outcome.', labelNames: ['profile', 'status'], registers: [this.registry] });
  readonly ops = new Counter({ name: 'rostersync_ops_total', help: 'Ops by kind and outcome.', labelNames: ['kind', 'outcome'], registers: [this.registry] });
  readonly apiCalls = new Counter({ name: 'rostersync_api_calls_total', help: 'Target API calls by HTTP status (0 = no answer).', labelNames: ['status'], registers: [this.registry] });
  readonly rateLimited = new Counter({ name: 'rostersync_api_rate_limited_total', help: '429 answers from the target.', registers: [this.registry] });
  readonly queueJobs = new Gauge({ name: 'rostersync_queue_jobs', help: 'Jobs in the op queue by state.', labelNames: ['state'], registers: [this.registry] });
  readonly budgetRate = new Gauge({ name: 'rostersync_budget_calls_per_second', help: 'Configured rate budget (with headroom).', registers: [this.registry] });
  readonly budgetUse = new Gauge({ name: 'rostersync_budget_use_ratio', help: 'API calls in the last minute divided by what the budget allows in a minute.', registers: [this.registry] });
  readonly lastSuccess = new Gauge({ name: 'rostersync_last_success_timestamp_seconds', help: 'End of the last successful sync per profile.', labelNames: ['profile'], registers: [this.registry] });
  readonly runDuration = new Histogram({ name: 'rostersync_run_duration_seconds', help: 'Sync run duration.', labelNames: ['profile'], buckets: [1, 5, 15, 60, 300, 900, 3600, 10_800], registers: [this.registry] });
  readonly sourceDuration = new Histogram({ name: 'rostersync_source_read_duration_seconds', help: 'Source read duration.', labelNames: ['profile', 'mode'], buckets: [0.1, 0.5, 1, 5, 15, 60, 300], registers: [this.registry] });
  readonly sourcePeople = new Gauge({ name: 'rostersync_source_people', help: 'People in the last source read.', labelNames: ['profile'], registers: [this.registry] });
  private readonly recentCalls: number[] = [];

  apiCall(status: number): void {
    this.apiCalls.inc({ status: String(status) });
    if (status === 429) this.rateLimited.inc();
    const now = Date.now();
    this.recentCalls.push(now);
    while (this.recentCalls.length > 0 && this.recentCalls[0]! < now - 60_000) this.recentCalls.shift();
  }

  /** Refreshes the gauges that are read, not counted, just before a scrape. */
  updateBudgetUse(ratePerSecond: number): void {
    const now = Date.now();
    while (this.recentCalls.length > 0 && this.recentCalls[0]! < now - 60_000) this.recentCalls.shift();
    this.budgetRate.set(ratePerSecond);
    this.budgetUse.set(ratePerSecond > 0 ? this.recentCalls.length / (ratePerSecond * 60) : 0);
  }
}
