import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { generateDirectory } from '../../support/synthetic-directory.js';
import { createHarness, SECRET, teamsState, type Harness } from '../../support/conformance/chartio.js';
import { ROOT, runCli, writesOf } from '../../support/target-harness.js';
import { expectedTeams, minimalWrites } from '../../support/expected-state.js';

const redisUrl = inject('redisUrl');
let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});
const writes = (h: Harness) => writesOf(h.emulator);

describe('backfill as a process', () => {
  it('two worker processes on one Redis never exceed the shared budget together', async () => {
    // The emulator's limit equals the configured limit (the budget uses 95% of it): any overshoot
    // would be a 429. A 5 s window leaves room for timers that fire a few ms late under load.
    h = await createHarness(redisUrl, {
      emulator: { rateLimit: { max: 100, windowMs: 5000 } },
      rateLimit: { max: 100, duration: 5000, headroom: 0.95 },
    });
    const dir = generateDirectory({ people: 80, groups: 8, memberships: 100, seed: 22 });
    h.writeDirectory(dir);
    const second = spawn(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'test/support/worker-process.ts'), h.configPath],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    second.stdout.on('data', (d: Buffer) => (out += d.toString()));
    await new Promise<void>((resolve) => second.stdout.on('data', () => out.includes('worker ready') && resolve()));

    const run = await runCli(['backfill', '--config', h.configPath]);
    const exited = new Promise((r) => second.once('exit', r));
    second.kill('SIGTERM');
    await exited;

    expect(run.code).toBe(0);
    expect(h.emulator.stats().rateLimited).toBe(0);
    expect(teamsState(h.emulator)).toEqual(expectedTeams(dir));
    const handled = Number(/handled (\d+)/.exec(out)?.[1]);
    expect(handled).toBeGreaterThan(0);
    expect(handled).toBeLessThan(minimalWrites(dir));
  });
});

describe('safety through the CLI', () => {
  it('an empty directory is blocked with exit 2 and no write', async () => {
    h = await createHarness(redisUrl);
    h.writeDirectory({ people: [], groups: [], issues: [] });
    const r = await runCli(['backfill', '--config', h.configPath]);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/BLOCKED \(EMPTY_SOURCE\)/);
    expect(writes(h)).toEqual([]);
  });

  it('a failed source read stops before planning: exit 69 and no write', async () => {
    h = await createHarness(redisUrl);
    const r = await runCli(['backfill', '--config', h.configPath]);
    expect(r.code).toBe(69);
    expect(r.stderr).toMatch(/(people|groups)\.csv: cannot read \(ENOENT\)/);
    expect(writes(h)).toEqual([]);
  });

  it('deletions over the threshold are blocked with exit 2; --allow-deletes N lets them through', async () => {
    h = await createHarness(redisUrl, { policy: { deprovision: 'delete-user', maxDeletes: 2, maxDeletePercent: 100 } });
    const dir = generateDirectory({ people: 30, groups: 3, memberships: 30, seed: 23 });
    h.writeDirectory(dir);
    expect((await runCli(['backfill', '--config', h.configPath])).code).toBe(0);
    h.writeDirectory({ ...dir, people: dir.people.slice(5) });
    const before = writes(h).length;
    const blocked = await runCli(['backfill', '--config', h.configPath]);
    expect(blocked.code).toBe(2);
    expect(blocked.stdout).toMatch(/TOO_MANY_DELETES/);
    expect(writes(h)).toHaveLength(before);
    const allowed = await runCli(['backfill', '--config', h.configPath, '--allow-deletes', '5']);
    expect(allowed.code).toBe(0);
    expect(h.emulator.dump().users.map((u) => u.email)).not.toContain(dir.people[0]!.email);
  });

  it('the API secret appears in no log line at any level', async () => {
    h = await createHarness(redisUrl, { emulator: { errorRate: 0.2, seed: 3 } });
    h.writeDirectory(generateDirectory({ people: 20, groups: 3, memberships: 30, seed: 24 }));
    const r = await runCli(['backfill', '--config', h.configPath], {
      env: { LOG_LEVEL: 'trace', CHARTIO_SECRET: SECRET },
    });
    expect(r.code).toBe(0);
    expect(r.stdout + r.stderr).toMatch(/op outcome/);
    expect(r.stdout + r.stderr).not.toContain(SECRET);
    expect(r.stdout + r.stderr).not.toContain(Buffer.from(`key:${SECRET}`).toString('base64'));
  });
});
