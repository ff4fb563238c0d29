import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { freePort } from '../../../src/store/redis-server.js';
import { generateDirectory } from '../../support/synthetic-directory.js';
import { createHarness, SECRET, teamsState, type Harness } from '../../support/conformance/chartio.js';
import { ROOT, runCli, writesOf } from '../../support/target-harness.js';
import { expectedTeams } from '../../support/expected-state.js';

const redisUrl = inject('redisUrl');
let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('CLI commands', () => {
  it('plan prints the plan (text, --json, --out) and writes nothing', async () => {
    h = await createHarness(redisUrl);
    h.writeDirectory(generateDirectory({ people: 40, groups: 4, memberships: 50, seed: 61 }));
    const out = join(h.dir, 'plan.json');
    const text = await runCli(['plan', '--config', h.configPath, '--out', out, '--limit', '3']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/createUser\s+\d+/);
    expect(text.stdout).toMatch(/First 3 of \d+ ops/);
    expect(text.stdout).toMatch(/Estimate: \d+ write calls \+ 2 reads/);
    expect(text.stdout).toMatch(/^ {2}directory: 40 people read, \d+ in scope( \(.*\))?, \d+ teams$/m);
    expect(text.stdout).toMatch(/^ {2}target: {4}\d+ users? managed, 0 teams managed$/m);
    const json = await runCli(['plan', '--config', h.configPath, '--json'], { env: { LOG_LEVEL: 'debug' } });
    const plan = JSON.parse(json.stdout);
    expect(plan.id).toMatch(/^p[0-9a-f]{15}$/);
    expect(plan.stats).toMatchObject({ peopleRead: 40, source: { kind: 'csv', issues: 0 }, neverTouched: {} });
    const left = Object.values(plan.stats.outOfScope as Record<string, number>).reduce((n, k) => n + k, 0);
    expect(plan.stats.desiredPeople + left).toBe(40);
    expect(writesOf(h.emulator)).toEqual([]);
  });

  it.runIf(existsSync('/usr/bin/script'))(
    'plan on a terminal prints no JSON log lines, unless --log-format json asks for them',
    async () => {
      h = await createHarness(redisUrl);
      h.writeDirectory(generateDirectory({ people: 10, groups: 2, memberships: 12, seed: 62 }));
      const plan = (extra: string) =>
        onTerminal(`plan --config '${h!.configPath}' --limit 3${extra}`, { LOG_LEVEL: 'info' });

      const text = await plan('');
      const json = await plan(' --log-format json');

      expect(text).toMatch(/Ready to apply\./);
      expect(text).toMatch(/^info: source read \(.*people=10/m);
      expect(text).not.toMatch(/^\{"level"/m);
      expect(json).toMatch(/Ready to apply\./);
      expect(json).toMatch(/^\{"level":30,.*"msg":"source read"\}/m);
    },
  );

  it('apply PLAN.json applies a reviewed plan, and refuses one the target no longer fits', async () => {
    h = await createHarness(redisUrl);
    const dir = generateDirectory({ people: 40, groups: 4, memberships: 50, seed: 62 });
    h.writeDirectory(dir);
    const file = join(h.dir, 'plan.json');
    expect((await runCli(['plan', '--config', h.configPath, '--out', file])).code).toBe(0);
    const applied = await runCli(['apply', file, '--config', h.configPath]);
    expect(applied.code).toBe(0);
    expect(applied.stdout).toMatch(/SUCCEEDED/);
    expect(teamsState(h.emulator)).toEqual(expectedTeams(dir));

    // A plan that removes a member from a team that has since been deleted in the app is stale.
    h.writeDirectory({
      ...dir,
      people: dir.people.map((p, i) => (i === 0 ? { ...p, groupIds: [dir.groups[3]!.sourceId] } : p)),
    });
    expect((await runCli(['plan', '--config', h.configPath, '--out', file])).code).toBe(0);
    const team = h.emulator.dump().teams.find((t) => t.name !== 'Owners' && t.members.includes(dir.people[0]!.email))!;
    await fetch(`${h.emulator.url}/v1/acme/teams/${team.id}`, {
      method: 'DELETE',
      headers: { authorization: `Basic ${Buffer.from(`key:${SECRET}`).toString('base64')}` },
    });
    const stale = await runCli(['apply', file, '--config', h.configPath]);
    expect(stale.code).toBe(2);
    expect(stale.stdout).toMatch(/PLAN_STALE|the target changed since the plan was made/);
  });

  it('status lists recent runs; validate checks config and connectivity', async () => {
    h = await createHarness(redisUrl);
    h.writeDirectory(generateDirectory({ people: 10, groups: 2, memberships: 12, seed: 63 }));
    expect((await runCli(['backfill', '--config', h.configPath])).code).toBe(0);
    const status = await runCli(['status', '--config', h.configPath]);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/hr-\d{8}-\d{6}-[0-9a-f]{6}\s+succeeded/);
    const ok = await runCli(['validate', '--config', h.configPath]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^profile\s+hr\s+ok\s+source csv ok; target chartio 127\.0\.0\.1:\d+ ok$/m);
    const bad = await runCli(['validate', '--config', h.configPath], { env: { CHARTIO_SECRET: 'wrong' } });
    expect(bad.code).toBe(78);
    expect(bad.stdout).toMatch(
      /target chartio .*FAILED: target\.apiKey \/ target\.apiSecret: the target refused the API key and secret \(GET \/v1\/acme\/ -> 401.*\); fix target\.apiKey or the environment variable \$CHARTIO_SECRET \(read by target\.apiSecret\)/,
    );
    expect(bad.stdout + bad.stderr).not.toContain('wrong');
  });

  it('backfill refuses while another process runs the profile (exit 75), and writes nothing', async () => {
    h = await createHarness(redisUrl);
    h.writeDirectory(generateDirectory({ people: 10, groups: 2, memberships: 12, seed: 64 }));
    const rt = await h.runtime();
    expect(await rt.store.acquireLock('the-daemon', 30_000)).toBe(true);
    const r = await runCli(['backfill', '--config', h.configPath]);
    expect(r.code).toBe(75);
    expect(r.stderr).toMatch(/has not finished|held by another process/);
    expect(h.emulator.requestLog.filter((x) => x.method !== 'GET')).toEqual([]);
  });

  it('usage and config errors have their exit codes', async () => {
    expect((await runCli(['frobnicate'])).code).toBe(64);
    expect((await runCli(['plan'])).code).toBe(64);
    const missing = await runCli(['plan', '--config', '/nonexistent/config.yaml']);
    expect(missing.code).toBe(78);
    expect(missing.stderr).toMatch(/cannot read the config file \(ENOENT\)/);
  });

  it('emulate --port N serves the Chartio API until SIGTERM', async () => {
    const port = await freePort();
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), 'emulate', '--port', String(port)],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CHARTIO_API_SECRET: 'cli-secret' } },
    );
    await new Promise<void>((resolve) =>
      child.stdout.on('data', (d: Buffer) => d.toString().includes('Chartio emulator on') && resolve()),
    );
    const auth = { authorization: `Basic ${Buffer.from('emulator-key:cli-secret').toString('base64')}` };
    const res = await fetch(`http://127.0.0.1:${port}/v1/example-org/users`, { headers: auth });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { count: number }).count).toBe(1);
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});

/** The CLI under a pseudo-terminal (util-linux `script`): stdout and stderr are a TTY, as for a person. */
function onTerminal(args: string, env: NodeJS.ProcessEnv): Promise<string> {
  const cmd = `'${process.execPath}' --import tsx src/cli/main.ts ${args}`;
  return new Promise((resolve, reject) => {
    execFile('script', ['-qec', cmd, '/dev/null'], { cwd: ROOT, env: { ...process.env, ...env } }, (err, stdout) =>
      err ? reject(err) : resolve(stdout.replace(/\r\n/g, '\n')),
    );
  });
}
