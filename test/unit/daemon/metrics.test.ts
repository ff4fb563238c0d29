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
    a.opOutcome('createUser', 'applied');
    expect(await sample(a, 'rostersync_ops_total', { kind: 'createUser', outcome: 'applied' })).toBe(1);
    expect(await sample(b, 'rostersync_ops_total', { kind: 'createUser', outcome: 'applied' })).toBeUndefined();
    expect(await register.metrics()).not.toContain('rostersync_');
  });

  it('count API answers by status and 429s apart, and the budget use of the last minute', async () => {
    const m = new Metrics();
    const t0 = 1_000_000;
    for (let i = 0; i < 30; i += 1) m.apiCall(200, t0 + i);
    m.apiCall(429, t0 + 30_000);
    m.apiCall(201, t0 + 61_000);
    m.updateBudgetUse(1, t0 + 61_000); // 1 call/s = 60 a minute; the first 30 calls are older than a minute
    expect(await sample(m, 'rostersync_api_calls_total', { status: '200' })).toBe(30);
    expect(await sample(m, 'rostersync_api_rate_limited_total')).toBe(1);
    expect(await sample(m, 'rostersync_budget_use_ratio')).toBeCloseTo(2 / 60);
    expect(await sample(m, 'rostersync_budget_calls_per_second')).toBe(1);
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
});
