import { readFileSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, inject, it } from 'vitest';
import type { Snapshot } from '../../../src/model/index.js';
import { expectedTeams } from '../../support/expected-state.js';
import {
  seededFaults,
  startFaultProxy,
  type Fault,
  type FaultProxy,
  type ProxiedRequest,
} from '../../support/fault-proxy.js';
import { generateDirectory } from '../../support/synthetic-directory.js';
import { createHarness, teamsState, type Harness } from '../../support/conformance/chartio.js';
import { runCli } from '../../support/target-harness.js';

const redisUrl = inject('redisUrl');
let h: Harness | undefined;
let proxy: FaultProxy | undefined;
afterEach(async () => {
  await proxy?.close();
  await h?.close();
  h = proxy = undefined;
});

/** Every run under faults must end within this (reads: 5 attempts of at most 5 s; writes: 8 attempts). */
const BOUND_MS = 90_000;

/** dirB moves 15 people to another group (rightful removals) and adds 20 (creates). */
function changed(dir: Snapshot): Snapshot {
  const groups = dir.groups.map((g) => g.sourceId);
  const moved = dir.people.map((p, i) =>
    i < 15 ? { ...p, groupIds: [groups[(groups.indexOf(p.groupIds[0] ?? groups[0]!) + 1) % groups.length]!] } : p,
  );
  const extra = generateDirectory({ people: 20, groups: groups.length, memberships: 25, seed: 999 }).people.map(
    (p) => ({ ...p, sourceId: `new-${p.sourceId}`, email: `new-${p.email}` }),
  );
  return { ...dir, people: [...moved, ...extra] };
}

/** Synced directly, then the directory changes and the target sits behind the proxy. */
async function scenario(seed: number, attempts = 8): Promise<{ hh: Harness; p: FaultProxy; target: Snapshot }> {
  const hh = await createHarness(redisUrl, { queue: { attempts, backoffMs: 20 } });
  h = hh;
  const dir = generateDirectory({ people: 80, groups: 4, memberships: 110, seed });
  hh.writeDirectory(dir);
  expect((await runCli(['backfill', '--config', hh.configPath])).code).toBe(0);
  const target = changed(dir);
  hh.writeDirectory(target);
  const p = await startFaultProxy(hh.emulator.url);
  proxy = p;
  const config = JSON.parse(readFileSync(hh.configPath, 'utf8'));
  config.target.baseUrl = `${p.url}/v1`;
  writeFileSync(hh.configPath, JSON.stringify(config, null, 2));
  return { hh, p, target };
}

/** Memberships both present before and wanted: a run may never take one away. */
function kept(before: Record<string, string[]>, wanted: Record<string, string[]>): Array<[string, string]> {
  return Object.entries(before).flatMap(([team, members]) =>
    members.filter((m) => wanted[team]?.includes(m)).map((m): [string, string] => [team, m]),
  );
}

async function faultyRun(hh: Harness, target: Snapshot) {
  const before = teamsState(hh.emulator);
  const t0 = Date.now();
  const r = await runCli(['backfill', '--config', hh.configPath]);
  const ms = Date.now() - t0;
  const after = teamsState(hh.emulator);
  const lost = kept(before, expectedTeams(target)).filter(([team, m]) => !after[team]?.includes(m));
  const said = r.stderr.split('\n').filter((l) => l.startsWith('rostersync:'));
  return { ...r, ms, lost, said };
}

async function cleanRerunIsExact(hh: Harness, p: FaultProxy, target: Snapshot): Promise<void> {
  p.setFaults(() => 'pass');
  const r = await runCli(['backfill', '--config', hh.configPath]);
  expect(r.code, r.stderr).toBe(0);
  expect(teamsState(hh.emulator)).toEqual(expectedTeams(target));
  const again = await runCli(['backfill', '--config', hh.configPath]);
  expect(again.stdout).toMatch(/total\s+0\s/);
}

const writes = (req: ProxiedRequest) => req.method !== 'GET';
const lists = (req: ProxiedRequest) => req.method === 'GET' && /\/(users|teams)\/?(\?|$)/.test(req.path);

describe('backfill through a misbehaving proxy', () => {
  it.each([1, 2, 3])(
    'a seeded mix of HTML 502s, login pages, truncated and empty bodies and hangs (seed %i)',
    async (seed) => {
      const { hh, p, target } = await scenario(100 + seed);
      const table: Array<[Fault, number]> = [
        ['html502', 0.06],
        ['html200', 0.04],
        ['truncate', 0.06],
        ['empty', 0.04],
        ['hangBody', 0.005],
        ['hang', 0.005],
      ];
      p.setFaults(seededFaults(seed, table));

      const r = await faultyRun(hh, target);

      console.info(`mix seed ${seed}: exit ${r.code} in ${r.ms} ms; faults ${JSON.stringify(countFaults(p))}`);
      expect([0, 1, 69]).toContain(r.code);
      expect(r.ms).toBeLessThan(BOUND_MS);
      if (r.code !== 0 && r.code !== 1) expect(r.said).toHaveLength(1);
      expect(r.stderr).not.toMatch(/ZodError|\n\s+at /);
      expect(r.lost).toEqual([]);
      await cleanRerunIsExact(hh, p, target);
    },
    240_000,
  );

  it('every write answer truncated or empty (the write applied): retries meet 409/404, nothing fails, state exact', async () => {
    const { hh, p, target } = await scenario(110);
    p.setFaults(
      seededFaults(
        7,
        [
          ['truncate', 0.5],
          ['empty', 0.5],
        ],
        writes,
      ),
    );

    const r = await faultyRun(hh, target);

    console.info(
      `all write answers unreadable: exit ${r.code} in ${r.ms} ms; faults ${JSON.stringify(countFaults(p))}`,
    );
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).not.toMatch(/skipped-dependency\s+[1-9]|failed\s+[1-9]/);
    expect(teamsState(hh.emulator)).toEqual(expectedTeams(target));
    expect(r.lost).toEqual([]);
  }, 240_000);

  it('an unreadable answer on the last attempt is read back: applied ops are not failed, unapplied ones are', async () => {
    // One attempt per op: the first unreadable answer is the last one.
    const { hh, p, target } = await scenario(130, 1);
    p.setFaults(
      seededFaults(
        9,
        [
          ['truncate', 0.4],
          ['empty', 0.3],
        ],
        writes,
      ),
    );

    const r = await faultyRun(hh, target);

    console.info(
      `one attempt, write answers unreadable: exit ${r.code} in ${r.ms} ms; faults ${JSON.stringify(countFaults(p))}`,
    );
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(teamsState(hh.emulator)).toEqual(expectedTeams(target));

    // A login page instead of the API: nothing applied, and reading back says so.
    hh.writeDirectory({
      ...target,
      people: target.people.map((x, i) =>
        i < 3 ? { ...x, groupIds: [...x.groupIds, target.groups[3]!.sourceId] } : x,
      ),
    });
    p.setFaults((req) => (writes(req) ? 'html200' : 'pass'));
    const refused = await faultyRun(hh, target);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(
      /answered 200 with a body that is not JSON: <!DOCTYPE html>.* \(reading the target back did not show the change\)/,
    );
    expect(refused.lost).toEqual([]);
  }, 240_000);

  it.each<[string, (req: ProxiedRequest) => Fault, RegExp]>([
    ['wrong counts on list pages', (req) => (lists(req) ? 'wrongCount' : 'pass'), /the read is incomplete/],
    [
      'a login page with 200 for everything',
      () => 'html200',
      /answered 200 with a body that is not JSON: <!DOCTYPE html>/,
    ],
    ['HTML 502 pages for everything', () => 'html502', /-> 502/],
    ['a target that never answers', () => 'hang', /no answer within 5000 ms/],
  ])(
    '%s: exit 69 before any write, one line',
    async (_, faults, line) => {
      const { hh, p, target } = await scenario(120);
      p.setFaults(faults);
      const writesBefore = hh.emulator.requestLog.filter((x) => x.method !== 'GET').length;

      const r = await faultyRun(hh, target);

      console.info(`${_}: exit ${r.code} in ${r.ms} ms`);
      expect(r.code, r.stderr).toBe(69);
      expect(r.ms).toBeLessThan(BOUND_MS);
      expect(r.said).toEqual([expect.stringMatching(line)]);
      expect(r.stderr).not.toMatch(/ZodError|\n\s+at /);
      expect(hh.emulator.requestLog.filter((x) => x.method !== 'GET').length).toBe(writesBefore);
      await cleanRerunIsExact(hh, p, target);
    },
    240_000,
  );
});

function countFaults(p: FaultProxy): Record<string, number> {
  const out: Record<string, number> = {};
  for (const e of p.log) out[e.fault] = (out[e.fault] ?? 0) + 1;
  return out;
}
