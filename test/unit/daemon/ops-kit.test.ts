import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { Metrics } from '../../../src/daemon/metrics.js';

const read = (path: string) => readFileSync(new URL(`../../../${path}`, import.meta.url), 'utf8');

/** Series Prometheus itself makes for a scrape target: allowed in the rules, never in /metrics. */
const PROMETHEUS_OWN = new Set(['up']);
const KEYWORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'and',
  'or',
  'unless',
]);

/**
 * The metric names a PromQL expression reads: identifiers that are neither functions (followed by
 * `(`), keywords, label names of a grouping clause, nor inside label matchers, ranges or strings.
 */
function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, ' ')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\boffset\s+\S+/g, ' ')
    .replace(/\$\w+/g, ' ');
  const names = [...bare.matchAll(/(?<![\w.$])([a-zA-Z_:][a-zA-Z0-9_:]*)(?![\w:]|\s*\()/g)].map((m) => m[1]!);
  return [...new Set(names.filter((n) => !KEYWORDS.has(n) && !/^(?:Inf|NaN)$/i.test(n)))];
}

/** What the daemon's registry serves: metric families, and every series name (a histogram's _bucket, _sum, _count). */
async function served(): Promise<{ families: Set<string>; series: Set<string> }> {
  const text = await new Metrics().registry.metrics();
  const families = new Set<string>();
  const series = new Set<string>();
  for (const [, name, type] of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    families.add(name!);
    if (type === 'histogram' || type === 'summary')
      for (const s of ['_bucket', '_sum', '_count']) series.add(name! + s);
    if (type !== 'histogram') series.add(name!);
  }
  return { families, series };
}

/** The metric family of a series name (a histogram's _bucket, _sum and _count are its family). */
const familyOf = (name: string, families: Set<string>) => {
  const base = name.replace(/_(bucket|sum|count)$/, '');
  return families.has(name) ? name : base;
};

interface Rule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface Panel {
  id: number;
  type: string;
  title: string;
  targets?: { refId: string; expr: string }[];
}

const rules = (
  parse(read('deploy/prometheus/rostersync-alerts.yaml')) as { groups: { rules: Rule[] }[] }
).groups.flatMap((g) => g.rules);
const dashboard = JSON.parse(read('deploy/grafana/rostersync-dashboard.json')) as {
  panels: Panel[];
  templating: { list: { definition?: string }[] };
};
const dashboardExprs = [
  ...dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ where: `${p.title} ${t.refId}`, expr: t.expr }))),
  ...dashboard.templating.list.flatMap((v) => (v.definition ? [{ where: 'templating', expr: v.definition }] : [])),
];

describe('the operations kit in deploy/', () => {
  it('reads metric names out of PromQL, and only those', () => {
    expect(
      metricNames(
        'histogram_quantile(0.95, sum by (le, profile) (rate(rostersync_run_duration_seconds_bucket{profile=~"$profile"}[6h])))',
      ),
    ).toEqual(['rostersync_run_duration_seconds_bucket']);
    expect(metricNames('time() - max by (profile) (a_total{x="b c"}) > 2 * 3e2 and on (instance) up == 0')).toEqual([
      'a_total',
      'up',
    ]);
    expect(metricNames('label_values(rostersync_runs_total, profile)')).toEqual(['rostersync_runs_total', 'profile']);
  });

  it('alerts on failing syncs, a run awaiting approval, the budget, Redis and the daemon, each with a severity and a summary', () => {
    expect(rules.map((r) => r.alert)).toEqual([
      'RostersyncSyncFailing',
      'RostersyncSyncFailingForLong',
      'RostersyncAwaitingApproval',
      'RostersyncSourceCredentialsRefused',
      'RostersyncRateBudgetExhausted',
      'RostersyncRateLimited',
      'RostersyncRedisUnreachable',
      'RostersyncDown',
      'RostersyncAbsent',
    ]);
    for (const r of rules) {
      expect(r.labels?.severity, r.alert).toMatch(/^(warning|critical)$/);
      expect(r.annotations?.summary, r.alert).toBeTruthy();
      if (r.for !== undefined) expect(r.for, r.alert).toMatch(/^\d+[smh]$/);
    }
  });

  it('queries in its rules only metrics the daemon serves (or Prometheus makes)', async () => {
    const { series } = await served();
    for (const r of rules) {
      const names = metricNames(r.expr);
      expect(names.length, r.alert).toBeGreaterThan(0);
      for (const n of names) expect(series.has(n) || PROMETHEUS_OWN.has(n), `${r.alert}: ${n}`).toBe(true);
    }
  });

  it('queries in its dashboard only metrics the daemon serves, and charts every one of them', async () => {
    const { families, series } = await served();
    const charted = new Set<string>();
    for (const { where, expr } of dashboardExprs) {
      // label_values(metric, label): the second argument is a label, not a metric.
      const names = metricNames(expr.replace(/^label_values\(([^,]+),[^)]*\)$/, '$1'));
      expect(names.length, where).toBeGreaterThan(0);
      for (const n of names) {
        expect(series.has(n), `${where}: ${n}`).toBe(true);
        charted.add(familyOf(n, families));
      }
    }
    expect([...families].filter((f) => !charted.has(f))).toEqual([]);
  });

  it('is a dashboard Grafana can load: unique panel ids, a datasource variable, refIds per panel', () => {
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of dashboard.panels) {
      const refs = (p.targets ?? []).map((t) => t.refId);
      expect(new Set(refs).size, p.title).toBe(refs.length);
    }
  });
});
