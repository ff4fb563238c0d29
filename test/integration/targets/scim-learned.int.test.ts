import type { ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { startWorkerProcess } from '../../support/processes.js';
import { runSync } from '../../../src/app/run-sync.js';
import { generateDirectory } from '../../support/synthetic-directory.js';
import { createScimHarness, expectedScimState, scimState, type ScimHarness } from '../../support/conformance/scim.js';

const redisUrl = inject('redisUrl');
let h: ScimHarness | undefined;
let worker: ChildProcess | undefined;
afterEach(async () => {
  if (worker && worker.exitCode === null) {
    const exited = new Promise((r) => worker!.once('exit', r));
    worker.kill('SIGTERM');
    await exited;
  }
  worker = undefined;
  await h?.close();
  h = undefined;
});

const DISCOVERY = /^\/scim\/v2\/(ServiceProviderConfig|ResourceTypes|Schemas)(\?|$)/;

describe('scim: the discovery travels with the run', () => {
  it(
    'a worker process that never read the server applies two runs with the discovery stored with each: 3 discovery GETs per run',
    { timeout: 60_000 },
    async () => {
      h = await createScimHarness(redisUrl, { emulator: { bulk: { maxOperations: 50, maxPayloadSize: 1_048_576 } } });
      const dir = generateDirectory({ people: 40, groups: 4, memberships: 60, seed: 7 });
      h.writeDirectory({ ...dir, people: dir.people.slice(0, 30) });
      const w = await startWorkerProcess(h.configPath);
      worker = w.child;
      // The planner's runtime starts no workers: every op is applied by the other process.
      const rt = await h.runtime();
      const discoveryGets = () => h!.emulator.requestLog.filter((r) => r.method === 'GET' && DISCOVERY.test(r.path));

      const first = await runSync(rt, { mode: 'full', trigger: 'backfill' });
      const afterFirst = discoveryGets().length;
      h.writeDirectory(dir);
      const second = await runSync(rt, { mode: 'full', trigger: 'backfill' });
      const handled = await w.handled();

      expect(first.status).toBe('succeeded');
      expect(second.status).toBe('succeeded');
      expect(second.plan!.counts.createUser).toBe(10);
      expect(handled).toBe(first.plan!.phases.flat().length + second.plan!.phases.flat().length);
      expect(await rt.store.learned(first.runId)).toMatchObject({
        server: { patch: true, bulk: { supported: true, maxOperations: 50 } },
      });
      // Each run's read: /ServiceProviderConfig, /ResourceTypes, /Schemas; the worker reads none.
      expect(afterFirst).toBe(3);
      expect(discoveryGets()).toHaveLength(6);
      // The worker wrote with the stored discovery: the creates went through /Bulk.
      expect(
        h.emulator.requestLog.filter((r) => r.method === 'POST' && r.path.startsWith('/scim/v2/Bulk')),
      ).not.toEqual([]);
      expect(scimState(h.emulator)).toEqual(expectedScimState(dir));
    },
  );
});
