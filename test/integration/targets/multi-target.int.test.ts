import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { openRuntime, type Runtime } from '../../../src/app/runtime.js';
import { runSync } from '../../../src/app/run-sync.js';
import { silentLogger } from '../../../src/log/logger.js';
import { createChartioEmulator } from '../../../src/emulators/chartio/index.js';
import { createGrafanaEmulator, DEFAULT_TOKEN } from '../../../src/emulators/grafana/index.js';
import { expectedTeams } from '../../support/expected-state.js';
import { expectedOrgState, grafanaMapping, orgState } from '../../support/conformance/grafana.js';
import { teamsState } from '../../support/conformance/chartio.js';
import { generateDirectory, writeDirectoryCsv } from '../../support/synthetic-directory.js';

const redisUrl = inject('redisUrl');
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

/** The most requests seen in any `windowMs` window of the log. */
function busiestWindow(times: number[], windowMs: number): number {
  const t = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; i < t.length; i++) {
    while (t[i]! - t[j]! >= windowMs) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

describe('one config, one directory, three targets', () => {
  it('syncs one CSV into two Chartio orgs and a Grafana org, each target within its own rate budget', async () => {
    // Each server enforces its own limit (per second here, scaled down): a 429 means a budget was crossed.
    const budgets = { east: 60, west: 40, grafana: 50 };
    const limit = (max: number) => ({ max, windowMs: 1000 });
    const east = await createChartioEmulator({
      org: 'east',
      apiKey: 'k',
      apiSecret: 'east-secret',
      rateLimit: limit(budgets.east),
      ownerEmail: 'owner@example.com',
    });
    const west = await createChartioEmulator({
      org: 'west',
      apiKey: 'k',
      apiSecret: 'west-secret',
      rateLimit: limit(budgets.west),
      ownerEmail: 'owner@example.com',
    });
    const grafana = await createGrafanaEmulator({
      version: '10.4.0',
      adminPassword: 'pw-multi',
      rateLimit: limit(budgets.grafana),
    });
    closers.push(
      () => east.close(),
      () => west.close(),
      () => grafana.close(),
    );
    const dir = mkdtempSync(join(tmpdir(), 'rostersync-multi-'));
    const snapshot = generateDirectory({ people: 150, groups: 10, memberships: 300, seed: 21 });
    writeDirectoryCsv(snapshot, join(dir, 'dir'));
    for (const p of Object.keys(expectedOrgState(snapshot).roles)) grafana.api.createUser({ login: p, email: p });
    const source = { kind: 'csv', path: 'dir/people.csv', groupsFile: { path: 'dir/groups.csv' } };
    const chartioMapping = { rules: [{ match: '^group-(\\d+)$', team: 'team-$1' }] };
    // A 1 s window magnifies timer slack on a busy 2-core machine; real windows are minutes long.
    const perSecond = (max: number) => ({ max, duration: 1000, headroom: 0.8 });
    writeFileSync(
      join(dir, 'config.yaml'),
      JSON.stringify({
        redis: { url: redisUrl, prefix: `multi-${process.pid}-${Date.now().toString(36)}` },
        targets: {
          east: {
            kind: 'chartio',
            baseUrl: `${east.url}/v1`,
            org: 'east',
            apiKey: 'k',
            apiSecret: 'east-secret',
            rateLimit: perSecond(budgets.east),
          },
          west: {
            kind: 'chartio',
            baseUrl: `${west.url}/v1`,
            org: 'west',
            apiKey: 'k',
            apiSecret: 'west-secret',
            rateLimit: perSecond(budgets.west),
          },
          grafana: {
            kind: 'grafana',
            baseUrl: grafana.url,
            token: DEFAULT_TOKEN,
            admin: { user: 'admin', password: 'pw-multi' },
            rateLimit: perSecond(budgets.grafana),
          },
        },
        policy: { maxDeletes: 1000, maxDeletePercent: 100 },
        queue: { concurrency: 16, attempts: 8, backoffMs: 20 },
        log: { level: 'warn' },
        profiles: [
          { name: 'east', target: 'east', source, mapping: chartioMapping },
          { name: 'west', target: 'west', source, mapping: chartioMapping },
          { name: 'grafana', target: 'grafana', source, mapping: grafanaMapping },
        ],
      }),
    );
    const runtimes: Runtime[] = [];
    for (const profile of ['east', 'west', 'grafana'])
      runtimes.push(await openRuntime(join(dir, 'config.yaml'), { profile, log: silentLogger }));
    closers.push(async () => {
      for (const rt of runtimes) await rt.close();
    });
    // One worker set serves every profile's ops, each with its own target and budget.
    runtimes[0]!.startWorkers({ concurrency: 32 });

    const outcomes = await Promise.all(runtimes.map((rt) => runSync(rt, { mode: 'full', trigger: 'backfill' })));

    expect(outcomes.map((o) => o.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    expect(teamsState(east)).toEqual(expectedTeams(snapshot));
    expect(teamsState(west)).toEqual(expectedTeams(snapshot));
    expect(orgState(grafana)).toEqual(expectedOrgState(snapshot));
    const servers: [keyof typeof budgets, { timestamp: number; status: number }[], number][] = [
      ['east', east.requestLog, east.stats().rateLimited],
      ['west', west.requestLog, west.stats().rateLimited],
      ['grafana', grafana.requestLog, grafana.stats().rateLimited],
    ];
    for (const [name, log, rateLimited] of servers) {
      const times = log.map((r) => r.timestamp);
      const seconds = (Math.max(...times) - Math.min(...times)) / 1000;
      // Within its own budget: no 429 from its server, the run's average at or under the budget,
      // and never far over it in any one second (timer slack on a busy machine).
      expect(rateLimited, name).toBe(0);
      expect(times.length / Math.max(seconds, 1e-3), name).toBeLessThanOrEqual(budgets[name] * 0.8 * 1.05);
      expect(busiestWindow(times, 1000), name).toBeLessThanOrEqual(budgets[name]);
    }
    // Three budgets, not one: each target's calls are counted on a key of its own.
    const keys = new Set(runtimes.map((rt) => rt.budget?.key));
    expect(keys.size).toBe(3);
  });
});
