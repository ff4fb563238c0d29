import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { lockOwner } from '../../../src/app/profile-lock.js';
import { freePort } from '../../../src/store/redis-server.js';
import { generateDirectory } from '../../support/synthetic-directory.js';
import { createHarness, type Harness } from '../../support/conformance/chartio.js';
import { runCli, type CliResult } from '../../support/target-harness.js';

const redisUrl = inject('redisUrl');
let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** Rewrites the harness's config (JSON, which is YAML). */
function editConfig(path: string, edit: (c: Record<string, any>) => void): void {
  const config = JSON.parse(readFileSync(path, 'utf8'));
  edit(config);
  writeFileSync(path, JSON.stringify(config, null, 2));
}

async function timed(args: string[], env?: NodeJS.ProcessEnv): Promise<CliResult & { ms: number }> {
  const t0 = Date.now();
  const r = await runCli(args, env ? { env } : {});
  return { ...r, ms: Date.now() - t0 };
}

const lines = (s: string) => s.trim().split('\n').filter(Boolean);

describe('failures the CLI understands end with one line and a documented code', () => {
  it(
    'a config error (http target) exits 78 promptly, naming file, line and key, from backfill, plan, status, run and validate',
    { timeout: 120_000 },
    async () => {
      h = await createHarness(redisUrl);
      h.writeDirectory(generateDirectory({ people: 5, groups: 1, memberships: 5, seed: 71 }));
      editConfig(h.configPath, (c) => (c.target.baseUrl = 'http://chartio.example.com/v1'));

      // In parallel: each is a process of its own. The bound is a hang detector (the bug was "never
      // exits"), generous for a loaded machine where tsx alone takes seconds to start.
      const commands = ['backfill', 'plan', 'status', 'run', 'validate'];
      const results = await Promise.all(commands.map((command) => timed([command, '--config', h!.configPath])));
      for (const [i, command] of commands.entries()) {
        const r = results[i]!;

        expect(r.code, `${command}: ${r.stderr}`).toBe(78);
        expect(r.ms, command).toBeLessThan(45_000);
        console.info(`config error: ${command} exited ${r.code} after ${r.ms} ms`);
        const [head, problem, ...rest] = lines(r.stderr);
        expect(head, command).toBe(`rostersync: invalid config ${h.configPath} (1 problem):`);
        expect(problem, command).toMatch(
          /^ {2}\S+:\d+:\d+: target\.baseUrl: https is required \(plain http only for loopback\), got http:\/\/chartio\.example\.com$/,
        );
        expect(rest, command).toEqual([]);
      }
    },
  );

  it('an unparsable redis.url is a config error naming the key (78), the password never shown', async () => {
    h = await createHarness(redisUrl);
    editConfig(h.configPath, (c) => (c.redis.url = 'redis://user:Left@Right-9q@127.0.0.1:notaport'));

    for (const command of ['backfill', 'status', 'validate']) {
      const r = await timed([command, '--config', h.configPath]);

      expect(r.code, command).toBe(78);
      expect(r.stderr).toMatch(/redis\.url: not a URL/);
      expect(r.stderr + r.stdout).not.toMatch(/Right|Invalid URL|\n\s+at /);
    }
  });

  it(
    'Redis down: backfill and status exit 69 with one line; validate reports it without an ioredis stack',
    { timeout: 120_000 },
    async () => {
      h = await createHarness(redisUrl);
      h.writeDirectory(generateDirectory({ people: 5, groups: 1, memberships: 5, seed: 72 }));
      const port = await freePort();
      editConfig(h.configPath, (c) => (c.redis.url = `redis://:Left@Right-9q@127.0.0.1:${port}`));

      for (const command of ['backfill', 'status']) {
        const r = await timed([command, '--config', h.configPath]);

        expect(r.code, command).toBe(69);
        expect(r.ms, command).toBeLessThan(45_000);
        expect(lines(r.stderr), command).toEqual([
          expect.stringMatching(
            new RegExp(`^rostersync: cannot reach Redis at redis://:\\[REDACTED\\]@127\\.0\\.0\\.1:${port}: `),
          ),
        ]);
      }
      const v = await timed(['validate', '--config', h.configPath]);
      expect(v.code).toBe(69);
      expect(v.stdout).toMatch(/redis .*FAILED/);
      expect(v.stdout + v.stderr).not.toMatch(/Unhandled error event|Right-9q|\n\s+at /);
    },
  );

  it('--resume with nothing to resume says so and exits 0, calling nothing', async () => {
    h = await createHarness(redisUrl);
    h.writeDirectory(generateDirectory({ people: 5, groups: 1, memberships: 5, seed: 73 }));

    const r = await timed(['backfill', '--config', h.configPath, '--resume']);

    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(
      'nothing to resume: profile hr has no unfinished run (run backfill without --resume to start one)',
    );
    expect(r.stderr).toBe('');
    expect(h.emulator.requestLog).toEqual([]);
  });

  it('a second backfill while one holds the profile says who holds it (75), not --resume', async () => {
    h = await createHarness(redisUrl);
    h.writeDirectory(generateDirectory({ people: 5, groups: 1, memberships: 5, seed: 74 }));
    const rt = await h.runtime();
    expect(await rt.store.acquireLock(lockOwner('backfill'), 30_000)).toBe(true);

    const r = await timed(['backfill', '--config', h.configPath]);

    expect(r.code).toBe(75);
    expect(lines(r.stderr)).toEqual([
      expect.stringMatching(
        /^rostersync: profile hr is held by another process right now \(backfill on \S+, pid \d+, since \d{4}-\d\d-\d\dT[\d:.]+Z\); nothing was changed: try again when it has finished$/,
      ),
    ]);
    expect(r.stderr).not.toContain('--resume');
    expect(h.emulator.requestLog.filter((x) => x.method !== 'GET')).toEqual([]);
  });

  it('bad CSV rows: exit 69 before any call to the target, one line naming the file, the row and the limit', async () => {
    h = await createHarness(redisUrl);
    h.writeDirectory(generateDirectory({ people: 5, groups: 1, memberships: 5, seed: 75 }));
    appendFileSync(join(h.dir, 'dir/people.csv'), 'p-bad,not-an-email,Bad Row,,,true,group-1\n');

    const r = await timed(['backfill', '--config', h.configPath]);

    expect(r.code).toBe(69);
    expect(lines(r.stderr).filter((l) => l.startsWith('rostersync:'))).toEqual([
      expect.stringMatching(
        /^rostersync: \S*people\.csv: 1 invalid rows, more than maxInvalidRows=0; first: people\.csv:7: invalid email "not-an-email"$/,
      ),
    ]);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(h.emulator.requestLog.filter((x) => x.method !== 'GET')).toEqual([]);
  });
});
