import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSync } from '../../../src/app/run-sync.js';
import { startDaemon, type Daemon } from '../../../src/daemon/daemon.js';
import { silentLogger } from '../../../src/log/logger.js';
import { generateDirectory } from '../../support/synthetic-directory.js';
import { createHarness, teamsState, type Harness } from '../../support/conformance/chartio.js';
import { expectedTeams, minimalWrites } from '../../support/expected-state.js';
import { startSentinelSet, type SentinelSet } from '../../support/redis-topologies.js';
import { writesOf } from '../../support/target-harness.js';

let set: SentinelSet;
let h: Harness | undefined;
let daemon: Daemon | undefined;
beforeAll(async () => {
  set = await startSentinelSet('main');
}, 60_000);
afterAll(async () => {
  await daemon?.close();
  await h?.close();
  await set?.stop();
});

const writes = (h: Harness) => writesOf(h.emulator);

describe('on a Sentinel set (primary + replica + 3 sentinels)', () => {
  it('a planned failover mid-run (the old primary lives on as a replica): the run ends exact, every write applied once', async () => {
    h = await createHarness('redis://unused', {
      redis: { sentinels: set.sentinels, name: set.name },
      emulator: { latencyMs: 5 },
    });
    const dir = generateDirectory({ people: 2000, groups: 60, memberships: 3000, nestingDepth: 2, seed: 16 });
    h.writeDirectory(dir);
    const rt = await h.runtime();
    rt.startWorkers();

    const run = runSync(rt, { mode: 'full', trigger: 'backfill' });
    while (writes(h).length < minimalWrites(dir) / 3) await new Promise((r) => setTimeout(r, 20));
    const old = await set.failover();
    const switchedAt = Date.now();
    const out = await run;
    await set.replicaBack(old);

    expect(await set.primaryPort()).not.toBe(old);
    expect(writes(h).filter((r) => r.timestamp > switchedAt).length).toBeGreaterThan(0); // switched mid-run
    expect(out.status).toBe('succeeded');
    expect(teamsState(h.emulator)).toEqual(expectedTeams(dir));
    expect(writes(h).filter((r) => r.applied).length).toBe(minimalWrites(dir));
    await h.close();
    h = undefined;
  }, 120_000);

  it('SIGKILL of the primary mid-run: the run ends exact, every write applied once, /readyz unready during the failover and ready after', async () => {
    h = await createHarness('redis://unused', { redis: { sentinels: set.sentinels, name: set.name } });
    const dir = generateDirectory({ people: 2000, groups: 60, memberships: 3000, nestingDepth: 2, seed: 15 });
    h.writeDirectory(dir);
    const config = JSON.parse(readFileSync(h.configPath, 'utf8'));
    config.daemon = { http: { host: '127.0.0.1', port: 0 }, shutdownTimeoutMs: 2000 };
    writeFileSync(h.configPath, JSON.stringify(config));
    // A worker daemon beside the run: it takes ops too, and its /readyz is watched throughout.
    daemon = await startDaemon(h.configPath, { role: 'worker', log: silentLogger });
    const ready: { at: number; status: number }[] = [];
    let watching = true;
    const watch = (async () => {
      while (watching) {
        const status = await fetch(`${daemon!.url}/readyz`, { signal: AbortSignal.timeout(3000) }).then(
          (r) => r.status,
          () => 0,
        );
        ready.push({ at: Date.now(), status });
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    const rt = await h.runtime();
    rt.startWorkers();

    const run = runSync(rt, { mode: 'full', trigger: 'backfill' });
    while (writes(h).length < minimalWrites(dir) / 3) await new Promise((r) => setTimeout(r, 20));
    const killedAt = Date.now();
    const old = await set.killPrimary();
    const promoted = await set.failedOver(old);
    const promotedAt = Date.now();
    const out = await run;
    await new Promise((r) => setTimeout(r, 1500)); // let /readyz settle on the new primary
    watching = false;
    await watch;

    expect(promoted).not.toBe(old);
    expect(writes(h).filter((r) => r.timestamp > promotedAt).length).toBeGreaterThan(0); // the kill was mid-run
    expect(out.status).toBe('succeeded');
    expect(teamsState(h.emulator)).toEqual(expectedTeams(dir));
    // Retries after the failover may repeat a call (its outcome was lost with the primary): the
    // emulator applied none twice. Applied writes equal the minimal writes and the state is exact,
    // so each needed write was applied exactly once (membership writes share a path per team, so
    // the count, not the path, is the measure).
    const applied = writes(h).filter((r) => r.applied);
    expect(applied.length).toBe(minimalWrites(dir));
    // /readyz: ready before the kill, unready between the kill and the promotion, ready at the end.
    expect(ready.filter((r) => r.at < killedAt).some((r) => r.status === 200)).toBe(true);
    expect(ready.filter((r) => r.at > killedAt && r.at < promotedAt + 1000).some((r) => r.status === 503)).toBe(true);
    expect(ready.at(-1)!.status).toBe(200);
  }, 240_000);
});
