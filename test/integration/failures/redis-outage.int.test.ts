import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { generateDirectory } from '../../support/synthetic-directory.js';
import { expectedTeams } from '../../support/expected-state.js';
import { startRestartableRedis, type RestartableRedis } from '../../support/restartable-redis.js';
import { createHarness, teamsState, type Harness } from '../../support/conformance/chartio.js';
import { runCli, writesOf } from '../../support/target-harness.js';

let redis: RestartableRedis;
let h: Harness | undefined;
beforeAll(async () => {
  redis = await startRestartableRedis();
});
afterAll(async () => {
  await redis.close();
});
afterEach(async () => {
  await redis.start().catch(() => {});
  await h?.close();
  h = undefined;
});

const writes = (hh: Harness) => writesOf(hh.emulator);

/** A backfill slow enough (latency, 4 ops in flight) that an outage lands in the middle of it. */
async function slowHarness(seed: number) {
  const hh = await createHarness(redis.url, { emulator: { latencyMs: 40 }, queue: { concurrency: 4 } });
  const dir = generateDirectory({ people: 150, groups: 5, memberships: 220, seed });
  hh.writeDirectory(dir);
  return { hh, dir };
}

async function whenWrites(hh: Harness, n: number): Promise<void> {
  while (writes(hh).length < n) await new Promise((r) => setTimeout(r, 20));
}

describe('backfill through a Redis outage', () => {
  it.each([1000, 5000, 1000, 5000, 5000])(
    'a restart of %i ms is ridden out: exit 0, exact state, no removal, clean rerun',
    async (downMs) => {
      const { hh, dir } = await slowHarness(80 + downMs / 1000);
      h = hh;
      const t0 = Date.now();
      const run = runCli(['backfill', '--config', hh.configPath]);
      await whenWrites(hh, 30);
      const before = writes(hh).length;
      await redis.restart(downMs);

      const r = await run;
      const ms = Date.now() - t0;

      console.info(`redis restart ${downMs} ms (after ${before} writes): backfill exited ${r.code} in ${ms} ms`);
      expect(r.code, r.stderr).toBe(0);
      expect(ms).toBeLessThan(60_000);
      expect(r.stderr).not.toMatch(/max retries per request|\n\s+at /);
      expect(writes(hh).filter((w) => w.method === 'DELETE')).toEqual([]);
      expect(teamsState(hh.emulator)).toEqual(expectedTeams(dir));
      const again = await runCli(['backfill', '--config', hh.configPath]);
      expect(again.code).toBe(0);
      expect(again.stdout).toMatch(/total\s+0\s/);
    },
    120_000,
  );

  it('Redis gone for good: exit 69 within the bound with one line; the run resumes exactly once Redis is back', async () => {
    const { hh, dir } = await slowHarness(90);
    h = hh;
    const t0 = Date.now();
    const run = runCli(['backfill', '--config', hh.configPath]);
    await whenWrites(hh, 30);
    await redis.stop();
    const stoppedAt = Date.now();

    const r = await run;
    const ms = Date.now() - stoppedAt;

    console.info(
      `redis stopped for good: backfill exited ${r.code} ${ms} ms after the stop (${Date.now() - t0} ms in all)`,
    );
    expect(r.code).toBe(69);
    expect(ms).toBeLessThan(45_000);
    const said = r.stderr.split('\n').filter((l) => l.startsWith('rostersync:'));
    expect(said).toEqual([
      expect.stringMatching(
        /^rostersync: Redis at redis:\/\/127\.0\.0\.1:\d+ has been unreachable for \d+ s, longer than the 30 s a command waits: stopped/,
      ),
    ]);
    expect(r.stderr).not.toMatch(/\n\s+at /);

    await redis.start();
    const resumed = await runCli(['backfill', '--config', hh.configPath, '--resume']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(writes(hh).filter((w) => w.method === 'DELETE')).toEqual([]);
    expect(teamsState(hh.emulator)).toEqual(expectedTeams(dir));
  }, 120_000);
});
