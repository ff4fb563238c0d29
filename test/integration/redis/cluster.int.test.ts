import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSync } from '../../../src/app/run-sync.js';
import { generateDirectory } from '../../support/synthetic-directory.js';
import { createHarness, teamsState, type Harness } from '../../support/conformance/chartio.js';
import { expectedTeams, minimalWrites } from '../../support/expected-state.js';
import { startCluster, type RedisCluster } from '../../support/redis-topologies.js';
import { writesOf } from '../../support/target-harness.js';

let cluster: RedisCluster;
let h: Harness | undefined;
beforeAll(async () => {
  cluster = await startCluster(3);
});
afterAll(async () => {
  await h?.close();
  await cluster?.stop();
});

describe('on a 3-primary Redis Cluster', () => {
  it('a backfill of 2,000 people ends exact with the minimum writes, and the next run writes nothing', async () => {
    h = await createHarness('redis://unused', { redis: { cluster: cluster.nodes } });
    const dir = generateDirectory({ people: 2000, groups: 60, memberships: 3000, nestingDepth: 2, seed: 14 });
    h.writeDirectory(dir);
    const rt = await h.runtime();
    rt.startWorkers();

    const first = await runSync(rt, { mode: 'full', trigger: 'backfill' });

    // The store, the budget and the queue really went through the Cluster client.
    expect((rt.redis as unknown as { isCluster?: boolean }).isCluster).toBe(true);
    expect(first.status).toBe('succeeded');
    expect(teamsState(h.emulator)).toEqual(expectedTeams(dir));
    expect(writesOf(h.emulator).length).toBe(minimalWrites(dir));
    const second = await runSync(rt, { mode: 'full', trigger: 'backfill' });
    expect(second.plan!.phases.flat()).toHaveLength(0);
  }, 180_000);
});
