// Grafana: team membership calls per 1,000 memberships, whole-team PUT (11.1+) against one call per member
// (10.x), for a backfill into an org where everyone has signed in, and for a 5% churn step.
import { runSync } from '../src/app/run-sync.js';
import { findOrStartRedis } from '../src/store/redis-server.js';
import { churn, generateDirectory } from '../test/support/synthetic-directory.js';
import { createGrafanaHarness, expectedOrgState } from '../test/support/conformance/grafana.js';

export interface GrafanaRow {
  version: string;
  membership: 'whole team' | 'per member';
  memberships: number;
  backfillWrites: number;
  /** Team membership calls of the backfill (POST per member, or one PUT per team). */
  membershipCalls: number;
  backfillSeconds: number;
  churnWrites: number;
  callsPer1kMemberships: number;
  reads: number;
}

export async function grafanaCalls(people: number, groups: number): Promise<GrafanaRow[]> {
  const redis = await findOrStartRedis();
  const rows: GrafanaRow[] = [];
  try {
    for (const version of ['11.3.0', '10.4.0']) {
      const h = await createGrafanaHarness(redis.url, { emulator: { version } });
      try {
        const dir = generateDirectory({ people, groups, memberships: people * 2, nestingDepth: 2, seed: 31 });
        h.writeDirectory(dir);
        h.signIn(Object.keys(expectedOrgState(dir).roles).map((email) => ({ email, displayName: email })));
        const rt = await h.runtime();
        rt.startWorkers();
        const writes = () => h.emulator.requestLog.filter((r) => r.method !== 'GET').length;
        const reads = () => h.emulator.requestLog.filter((r) => r.method === 'GET').length;
        const t0 = performance.now();
        await runSync(rt, { mode: 'full', trigger: 'backfill' });
        const backfillSeconds = (performance.now() - t0) / 1000;
        const backfillWrites = writes();
        const membershipCalls = h.emulator.requestLog.filter(
          (r) => r.method !== 'GET' && /^\/api\/teams\/\d+\/members/.test(r.path),
        ).length;
        const memberships = Object.values(expectedOrgState(dir).teams).reduce((n, m) => n + m.length, 0);
        const next = churn(dir, { share: 0.05, seed: 32 });
        h.writeDirectory(next);
        h.signIn(Object.keys(expectedOrgState(next).roles).map((email) => ({ email, displayName: email })));
        const r0 = reads();
        await runSync(rt, { mode: 'full', trigger: 'backfill' });
        rows.push({
          version,
          membership: version.startsWith('11') ? 'whole team' : 'per member',
          memberships,
          backfillWrites,
          membershipCalls,
          backfillSeconds,
          churnWrites: writes() - backfillWrites,
          callsPer1kMemberships: (membershipCalls / memberships) * 1000,
          reads: reads() - r0,
        });
      } finally {
        await h.close();
      }
    }
  } finally {
    await redis.stop();
  }
  return rows;
}
