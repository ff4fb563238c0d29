import { register } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { Metrics } from '../../../src/daemon/metrics.js';
import { parsePrometheus } from '../../support/prometheus.js';

const sample = async (m: Metrics, name: string, labels: Record<string, string> = {}) =>
  parsePrometheus(await m.registry.metrics()).find(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  )?.value;

describe('daemon metrics', () => {
  it('live on a registry of their own, so two daemons in one process do not collide', async () => {
    const a = new Metrics();
    const b = new Metrics();
    a.opOutcome('hr', 'createUser', 'applied');
    expect(await sample(a, 'rostersync_ops_total', { profile: 'hr', kind: 'createUser', outcome: 'applied' })).toBe(1);
    expect(await sample(b, 'rostersync_ops_total', { kind: 'createUser', outcome: 'applied' })).toBeUndefined();
    expect(await register.metrics()).not.toContain('rostersync_');
  });

  it('count API answers per target by status, 429s apart, and each target budget use of the last minute', async () => {
    const m = new Metrics();
    const t0 = 1_000_000;
    for (let i = 0; i < 30; i += 1) m.apiCall('grafana', 200, t0 + i);
    m.apiCall('grafana', 429, t0 + 30_000);
    m.apiCall('grafana', 201, t0 + 61_000);
    for (let i = 0; i < 12; i += 1) m.apiCall('chartio', 200, t0 + 60_000 + i);
    m.updateBudgetUse('grafana', 1, t0 + 61_000); // 1 call/s = 60 a minute; the first 30 calls are older than a minute
    m.updateBudgetUse('chartio', 2, t0 + 61_000);
    expect(await sample(m, 'rostersync_api_calls_total', { target: 'grafana', status: '200' })).toBe(30);
    expect(await sample(m, 'rostersync_api_calls_total', { target: 'chartio', status: '200' })).toBe(12);
    expect(await sample(m, 'rostersync_api_rate_limited_total', { target: 'grafana' })).toBe(1);
    expect(await sample(m, 'rostersync_api_rate_limited_total', { target: 'chartio' })).toBeUndefined();
    expect(await sample(m, 'rostersync_budget_use_ratio', { target: 'grafana' })).toBeCloseTo(2 / 60);
    expect(await sample(m, 'rostersync_budget_use_ratio', { target: 'chartio' })).toBeCloseTo(12 / 120);
    expect(await sample(m, 'rostersync_budget_calls_per_second', { target: 'grafana' })).toBe(1);
  });

  it('show the run in progress per profile, and zero once it is over', async () => {
    const m = new Metrics();
    m.runProgress('hr', { done: 40, total: 100 });
    m.runProgress('sales');
    expect(await sample(m, 'rostersync_run_ops', { profile: 'hr', state: 'done' })).toBe(40);
    expect(await sample(m, 'rostersync_run_ops', { profile: 'hr', state: 'total' })).toBe(100);
    expect(await sample(m, 'rostersync_run_ops', { profile: 'sales', state: 'total' })).toBe(0);
    m.runProgress('hr');
    expect(await sample(m, 'rostersync_run_ops', { profile: 'hr', state: 'done' })).toBe(0);
  });

  it('record a run: status, duration, source read; the last success only when it succeeded', async () => {
    const m = new Metrics();
    m.syncFinished(
      'hr',
      'partial',
      { durationMs: 4000, mode: 'full', source: { readMs: 500, people: 120, groups: 9 } },
      5_000_000,
    );
    expect(await sample(m, 'rostersync_last_success_timestamp_seconds', { profile: 'hr' })).toBeUndefined();
    m.syncFinished('hr', 'succeeded', { durationMs: 2000, mode: 'incremental' }, 6_000_000);
    m.syncFinished('hr', 'refused-overlap');
    expect(await sample(m, 'rostersync_runs_total', { profile: 'hr', status: 'partial' })).toBe(1);
    expect(await sample(m, 'rostersync_runs_total', { profile: 'hr', status: 'refused-overlap' })).toBe(1);
    expect(await sample(m, 'rostersync_last_success_timestamp_seconds', { profile: 'hr' })).toBe(6000);
    expect(await sample(m, 'rostersync_run_duration_seconds_count', { profile: 'hr' })).toBe(2);
    expect(await sample(m, 'rostersync_run_duration_seconds_sum', { profile: 'hr' })).toBe(6);
    expect(await sample(m, 'rostersync_source_people', { profile: 'hr' })).toBe(120);
    expect(await sample(m, 'rostersync_source_read_duration_seconds_count', { profile: 'hr', mode: 'full' })).toBe(1);
  });

  it('read the runs of Redis: a run waiting for a decision, and the failed runs in a row', async () => {
    const m = new Metrics();
    const now = Date.parse('2026-01-01T12:00:00Z');
    const pending = { state: 'pending' as const, expiresAt: '2026-01-01T13:00:00Z' };
    m.runsRead(
      'hr',
      [
        { status: 'running' },
        { status: 'failed' },
        { status: 'failed' },
        { status: 'blocked', approval: pending },
        { status: 'failed' },
      ],
      now,
    );
    expect(await sample(m, 'rostersync_runs_failed_in_a_row', { profile: 'hr' })).toBe(2);
    expect(await sample(m, 'rostersync_run_awaiting_approval', { profile: 'hr' })).toBe(1);
    m.runsRead('hr', [{ status: 'blocked', approval: { ...pending, expiresAt: '2026-01-01T11:00:00Z' } }], now);
    expect(await sample(m, 'rostersync_run_awaiting_approval', { profile: 'hr' })).toBe(0);
    expect(await sample(m, 'rostersync_runs_failed_in_a_row', { profile: 'hr' })).toBe(0);
    m.runsRead('sales', [{ status: 'failed' }, { status: 'failed' }, { status: 'failed' }], now);
    expect(await sample(m, 'rostersync_runs_failed_in_a_row', { profile: 'sales' })).toBe(3);
    m.runsRead('sales', [{ status: 'succeeded' }, { status: 'failed' }], now);
    expect(await sample(m, 'rostersync_runs_failed_in_a_row', { profile: 'sales' })).toBe(0);
    m.redisUp.set(0);
    expect(await sample(m, 'rostersync_redis_up')).toBe(0);
  });
});
