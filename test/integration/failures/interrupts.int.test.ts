import { afterEach, describe, expect, inject, it } from 'vitest';
import { expectedTeams, minimalWrites } from '../../support/expected-state.js';
import { generateDirectory } from '../../support/synthetic-directory.js';
import { createHarness, teamsState, type Harness } from '../../support/conformance/chartio.js';
import { runCli, writesOf } from '../../support/target-harness.js';

const redisUrl = inject('redisUrl');
let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const writes = (hh: Harness) => writesOf(hh.emulator);

/** A backfill slow enough (latency, 4 ops in flight) to be interrupted in the middle. */
async function slow(seed: number) {
  const hh = await createHarness(redisUrl, { emulator: { latencyMs: 40 }, queue: { concurrency: 4 } });
  h = hh;
  const dir = generateDirectory({ people: 150, groups: 5, memberships: 220, seed });
  hh.writeDirectory(dir);
  return { hh, dir };
}

/** Starts a backfill and sends `signal` once it has written `after` times. */
function interrupted(hh: Harness, signal: NodeJS.Signals, after = 30) {
  let sent = false;
  const t0 = Date.now();
  let signalledAt = 0;
  const done = runCli(['backfill', '--config', hh.configPath], {
    onStdout: (_, child) => {
      void (async () => {
        while (!sent && writes(hh).length < after) await new Promise((r) => setTimeout(r, 20));
        if (!sent) {
          sent = true;
          signalledAt = Date.now();
          child.kill(signal);
        }
      })();
    },
  });
  return done.then((r) => ({ ...r, ms: Date.now() - (signalledAt || t0) }));
}

describe('interrupted backfills', () => {
  it('SIGTERM mid-sync: exit 130 promptly with one line; --resume finishes exactly, no op applied twice', async () => {
    const { hh, dir } = await slow(140);
    const r = await interrupted(hh, 'SIGTERM');

    console.info(`SIGTERM: exit ${r.code} ${r.ms} ms after the signal`);
    expect(r.code).toBe(130);
    expect(r.ms).toBeLessThan(15_000);
    expect(
      r.stderr
        .trim()
        .split('\n')
        .filter((l) => !l.startsWith('{') && !l.startsWith('progress')),
    ).toEqual(['interrupted: the run is kept in Redis; continue it with --resume']);

    const resumed = await runCli(['backfill', '--config', hh.configPath, '--resume']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(teamsState(hh.emulator)).toEqual(expectedTeams(dir));
    expect(writes(hh).filter((w) => w.applied)).toHaveLength(minimalWrites(dir));
  }, 120_000);

  it('SIGKILL mid-sync: a new backfill says the lock holder is gone and points at --resume (75); --resume waits out the dead lock and finishes exactly', async () => {
    const { hh, dir } = await slow(141);
    const r = await interrupted(hh, 'SIGKILL');
    expect(r.signal).toBe('SIGKILL');

    const fresh = await runCli(['backfill', '--config', hh.configPath]);
    expect(fresh.code).toBe(75);
    expect(fresh.stderr.split('\n').filter((l) => l.startsWith('rostersync:'))).toEqual([
      expect.stringMatching(
        /^rostersync: profile hr is still locked by a process that is gone \(backfill on \S+, pid \d+, since [^)]+\); its lock lapses within 20 s: continue its run with --resume/,
      ),
    ]);

    const t0 = Date.now();
    const resumed = await runCli(['backfill', '--config', hh.configPath, '--resume']);
    console.info(`SIGKILL: --resume exited ${resumed.code} after ${Date.now() - t0} ms (the dead lock lasts 20 s)`);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(teamsState(hh.emulator)).toEqual(expectedTeams(dir));
  }, 120_000);

  it('two replicas: the second backfill names the process holding the profile (75) and writes nothing itself', async () => {
    const { hh, dir } = await slow(142);
    let firstPid = 0;
    const first = runCli(['backfill', '--config', hh.configPath], {
      onStdout: (_, child) => {
        firstPid = child.pid ?? 0;
      },
    });
    while (writes(hh).length < 10) await new Promise((r) => setTimeout(r, 20));
    const second = await runCli(['backfill', '--config', hh.configPath]);

    expect(second.code).toBe(75);
    expect(second.stderr).toMatch(
      new RegExp(
        `^rostersync: profile hr is held by another process right now \\(backfill on \\S+, pid ${firstPid}, since `,
        'm',
      ),
    );
    expect((await first).code).toBe(0);
    expect(teamsState(hh.emulator)).toEqual(expectedTeams(dir));
  }, 120_000);
});
