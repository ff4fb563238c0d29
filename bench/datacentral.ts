// DataCentral: write calls per changed user (a whole-user write: roles, units and names in one call)
// for a backfill into an empty tenant and a 5% churn step, against the fewest writes possible.
import { runSync } from '../src/app/run-sync.js';
import { findOrStartRedis } from '../src/store/redis-server.js';
import { churn, generateDirectory } from '../test/support/synthetic-directory.js';
import { createDcHarness, expectedTenant, expectedUnits } from '../test/support/conformance/datacentral.js';

export interface DatacentralRow {
  step: 'backfill' | '5% churn';
  people: number;
  units: number;
  writes: number;
  /** Users created or changed, new units, new roles: one write each at best. */
  minimum: number;
  /** Most writes any one user received in the step. */
  maxWritesPerUser: number;
  seconds: number;
  reads: number;
}

export async function datacentralCalls(people: number, groups: number): Promise<DatacentralRow[]> {
  const redis = await findOrStartRedis();
  const h = await createDcHarness(redis.url);
  const rows: DatacentralRow[] = [];
  try {
    const rt = await h.runtime();
    rt.startWorkers();
    const log = () => h.emulator.requestLog;
    const step = async (
      name: DatacentralRow['step'],
      dir: ReturnType<typeof generateDirectory>,
      minimum: (before: Record<string, unknown>) => number,
    ) => {
      const before = Object.fromEntries(h.emulator.dump().users.map((u) => [u.email, JSON.stringify(u)]));
      const mark = log().length;
      h.writeDirectory(dir);
      const t0 = performance.now();
      await runSync(rt, { mode: 'full', trigger: 'backfill' });
      const seconds = (performance.now() - t0) / 1000;
      const entries = log().slice(mark);
      const perUser = new Map<string, number>();
      for (const r of entries)
        if (/^\/v1\/users\/[^/]+$/.test(r.path)) perUser.set(r.path, (perUser.get(r.path) ?? 0) + 1);
      rows.push({
        step: name,
        people: Object.keys(expectedTenant(dir)).length,
        units: expectedUnits(dir),
        writes: entries.filter((r) => r.method !== 'GET').length,
        minimum: minimum(before),
        maxWritesPerUser: Math.max(1, ...perUser.values()),
        seconds,
        reads: entries.filter((r) => r.method === 'GET').length,
      });
    };
    const day1 = generateDirectory({ people, groups, memberships: people * 2, nestingDepth: 2, seed: 31 });
    await step('backfill', day1, () => Object.keys(expectedTenant(day1)).length + expectedUnits(day1) + 1);
    const day2 = churn(day1, { share: 0.05, seed: 32 });
    await step('5% churn', day2, (before) => {
      const after = h.emulator.dump().users;
      return (
        after.filter((u) => before[u.email] !== JSON.stringify(u)).length +
        h.emulator.dump().units.length -
        expectedUnits(day1)
      );
    });
  } finally {
    await h.close();
    await redis.stop();
  }
  return rows;
}
