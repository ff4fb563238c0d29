import type { ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { startWorkerProcess } from '../../support/processes.js';
import { runSync } from '../../../src/app/run-sync.js';
import { generateDirectory } from '../../support/synthetic-directory.js';
import {
  createGrafanaHarness,
  expectedOrgState,
  orgState,
  type GrafanaHarness,
} from '../../support/conformance/grafana.js';

const redisUrl = inject('redisUrl');
let h: GrafanaHarness | undefined;
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

describe('what a target read learns travels with the run', () => {
  it(
    'a worker process that never read Grafana applies a plan of whole-team writes that the planner learned from the server version',
    { timeout: 60_000 },
    async () => {
      // membership: auto (the default) writes whole teams only on a server the read finds new enough.
      h = await createGrafanaHarness(redisUrl, { emulator: { version: '11.3.0' } });
      const dir = generateDirectory({ people: 60, groups: 6, memberships: 90, seed: 31 });
      h.writeDirectory(dir);
      h.signIn(Object.keys(expectedOrgState(dir).roles).map((email) => ({ email, displayName: email })));
      const w = await startWorkerProcess(h.configPath);
      worker = w.child;
      // The planner's runtime starts no workers: every op is applied by the other process.
      const rt = await h.runtime();

      const run = await runSync(rt, { mode: 'full', trigger: 'backfill' });
      const handled = await w.handled();

      expect(run.plan!.counts.setMembers).toBeGreaterThan(0);
      expect(run.status).toBe('succeeded');
      expect(await rt.store.learned(run.runId)).toMatchObject({ capabilities: { membership: 'whole-container' } });
      // The read returned what it learned; the planner's target object is as configured.
      expect(rt.target.capabilities.membership).toBe('per-call');
      expect(handled).toBe(run.plan!.phases.flat().length);
      const teamWrites = h.emulator.requestLog.filter((r) => r.method === 'PUT' && /teams\/\d+\/members$/.test(r.path));
      expect(teamWrites).toHaveLength(run.plan!.counts.setMembers);
      expect(orgState(h.emulator)).toEqual(expectedOrgState(dir));
    },
  );
});
