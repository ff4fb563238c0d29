import { readFileSync, writeFileSync } from 'node:fs';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { openRuntime } from '../../../src/app/runtime.js';
import { silentLogger } from '../../../src/log/logger.js';
import { generateDirectory } from '../../support/synthetic-directory.js';
import { createHarness, teamsState, type Harness } from '../../support/conformance/chartio.js';
import { ROOT, writesOf } from '../../support/target-harness.js';
import { expectedTeams, minimalWrites } from '../../support/expected-state.js';

const redisUrl = inject('redisUrl');
let h: Harness | undefined;
const children: ChildProcess[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
  await h?.close();
});

function startRun(configPath: string): { child: ChildProcess; exited: Promise<number | null>; stdout: () => string } {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), 'run', '--config', configPath],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LOG_LEVEL: 'warn' } },
  );
  children.push(child);
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  return { child, exited: new Promise((r) => child.once('exit', (code) => r(code))), stdout: () => out };
}

/** The daemon's stdout carries the audit stream only: one JSON line per event, named rostersync.audit. */
const auditLines = (stdout: string) =>
  stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as { name: string; audit: { id: string; runId: string } });

async function until(f: () => boolean | Promise<boolean>, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await f())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('rostersync run: SIGTERM mid-run', () => {
  it('loses no op: the next start finishes the run, each op applied once', async () => {
    h = await createHarness(redisUrl, { emulator: { latencyMs: [20, 40] }, queue: { concurrency: 4 } });
    const dir = generateDirectory({ people: 200, groups: 15, memberships: 300, seed: 41 });
    h.writeDirectory(dir);
    const config = JSON.parse(readFileSync(h.configPath, 'utf8'));
    config.daemon = { http: { host: '127.0.0.1', port: 0 }, shutdownTimeoutMs: 1000 };
    // A full sync at second 0 of every minute (Berlin time): the first tick starts the run.
    config.profiles[0].schedule = { full: '* * * * * *', timezone: 'Europe/Berlin' };
    writeFileSync(h.configPath, JSON.stringify(config));
    const writes = () => writesOf(h!.emulator);

    const first = startRun(h.configPath);
    await until(() => writes().length >= 60);
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    const rt = await openRuntime(h.configPath, { log: silentLogger });
    try {
      const stopped = (await rt.store.listRuns(5)).find((r) => r.status === 'running');
      expect(stopped).toBeDefined();
      expect(stopped!.done).toBeLessThan(stopped!.totalOps);

      const second = startRun(h.configPath);
      await until(async () => (await rt.store.getRun(stopped!.runId))?.status === 'succeeded');
      second.child.kill('SIGTERM');
      expect(await second.exited).toBe(0);

      // The audit of the interrupted run is told once, when it ends (by the second process), one
      // event per stored change, whichever process recorded it.
      expect(auditLines(first.stdout()).filter((l) => l.audit.runId === stopped!.runId)).toEqual([]);
      const told = auditLines(second.stdout()).filter((l) => l.audit.runId === stopped!.runId);
      expect(told.every((l) => l.name === 'rostersync.audit')).toBe(true);
      const stored = await rt.store.audit.length(stopped!.runId);
      expect(stored).toBeGreaterThan(0);
      expect(told.map((l) => l.audit.id)).toEqual([...Array(stored).keys()].map((i) => `${stopped!.runId}/${i}`));
    } finally {
      await rt.close();
    }
    expect(teamsState(h.emulator)).toEqual(expectedTeams(dir));
    expect(writes().filter((r) => r.applied)).toHaveLength(minimalWrites(dir));
  });
});
