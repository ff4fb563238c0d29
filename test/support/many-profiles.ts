// Many profiles, many orgs: a config writer and per-profile directories that never collide in a
// shared org (each profile's people and teams carry its name).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createChartioEmulator, type ChartioEmulator } from '../../src/emulators/chartio/index.js';
import type { Snapshot } from '../../src/model/index.js';
import { expectedTeams } from './expected-state.js';
import { mappingSchema } from '../../src/config/schema.js';
import { generateDirectory, writeDirectoryCsv } from './synthetic-directory.js';
import { ROOT } from './target-harness.js';

export interface ProfileSpec {
  name: string;
  org: number;
  people: number;
  schedule?: string;
}

export interface Fleet {
  dir: string;
  configPath: string;
  orgs: ChartioEmulator[];
  snapshots: Map<string, Snapshot>;
  /** Team -> members each org should hold: Owners plus every profile's teams. */
  expected(org: number): Record<string, string[]>;
  close(): Promise<void>;
}

const mappingOf = (profile: string) => ({ rules: [{ match: '^group-(\\d+)$', team: `${profile}-team-$1` }] });

export async function createFleet(
  redisUrl: string,
  o: { orgs: number; budget: { max: number; windowMs: number }; profiles: ProfileSpec[]; daemon?: boolean },
): Promise<Fleet> {
  // Each org's server enforces the budget itself: a 429 would mean the budget was crossed.
  const orgs = await Promise.all(
    Array.from({ length: o.orgs }, (_, i) =>
      createChartioEmulator({
        org: `org${i}`,
        apiKey: 'k',
        apiSecret: `secret-${i}`,
        rateLimit: { max: o.budget.max, windowMs: o.budget.windowMs },
        ownerEmail: 'owner@example.com',
      }),
    ),
  );
  const dir = mkdtempSync(join(tmpdir(), 'rostersync-fleet-'));
  const snapshots = new Map<string, Snapshot>();
  o.profiles.forEach((p, i) => {
    const base = generateDirectory({
      people: p.people,
      groups: Math.max(5, Math.round(p.people / 100)),
      memberships: p.people,
      seed: 500 + i,
    });
    const snapshot = { ...base, people: base.people.map((x) => ({ ...x, email: `${p.name}.${x.email}` })) };
    snapshots.set(p.name, snapshot);
    writeDirectoryCsv(snapshot, join(dir, p.name));
  });
  const configPath = join(dir, 'config.yaml');
  writeFileSync(
    configPath,
    JSON.stringify(
      {
        redis: { url: redisUrl, prefix: `fleet-${process.pid}-${Date.now().toString(36)}` },
        // headroom 0.8: slots are spaced evenly, but a process stalled by a busy 2-core machine sends late.
        targets: Object.fromEntries(
          orgs.map((e, i) => [
            `org${i}`,
            {
              kind: 'chartio',
              baseUrl: `${e.url}/v1`,
              org: `org${i}`,
              apiKey: 'k',
              apiSecret: `secret-${i}`,
              rateLimit: { max: o.budget.max, duration: o.budget.windowMs, headroom: 0.8 },
            },
          ]),
        ),
        policy: { maxDeletes: 1000, maxDeletePercent: 100 },
        queue: { concurrency: 16, attempts: 8, backoffMs: 20 },
        log: { level: 'warn' },
        ...(o.daemon ? { daemon: { http: { host: '127.0.0.1', port: 0 }, shutdownTimeoutMs: 2000 } } : {}),
        profiles: o.profiles.map((p) => ({
          name: p.name,
          target: `org${p.org}`,
          mapping: mappingOf(p.name),
          source: {
            kind: 'csv',
            path: `${p.name}/people.csv`,
            groupsFile: { path: `${p.name}/groups.csv` },
            maxInvalidRows: 0,
          },
          ...(p.schedule ? { schedule: { full: p.schedule, timezone: 'UTC' } } : {}),
        })),
      },
      null,
      2,
    ),
  );
  return {
    dir,
    configPath,
    orgs,
    snapshots,
    expected(org) {
      const out: Record<string, string[]> = {};
      for (const p of o.profiles.filter((x) => x.org === org))
        Object.assign(
          out,
          expectedTeams(snapshots.get(p.name)!, ['owner@example.com'], {
            mapping: mappingSchema.parse(mappingOf(p.name)),
          }),
        );
      return out;
    },
    close: async () => void (await Promise.all(orgs.map((e) => e.close()))),
  };
}

/** Worker processes (test/support/worker-process.ts) on the config, resolved once each is ready. */
export async function startWorkerProcesses(configPath: string, n: number): Promise<{ stop(): Promise<void> }> {
  const children: ChildProcess[] = Array.from({ length: n }, () =>
    spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'test/support/worker-process.ts'), configPath], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    }),
  );
  await Promise.all(
    children.map(
      (c) =>
        new Promise<void>((resolve, reject) => {
          c.stdout!.on('data', (d: Buffer) => d.toString().includes('worker ready') && resolve());
          c.once('exit', (code) => reject(new Error(`worker process exited (${code}) before it was ready`)));
        }),
    ),
  );
  return {
    async stop() {
      for (const c of children) c.kill('SIGTERM');
      await Promise.all(
        children.map(
          (c) => new Promise((r) => (c.exitCode !== null || c.signalCode !== null ? r(null) : c.once('exit', r))),
        ),
      );
    },
  };
}

/** The most requests seen in any `windowMs` window. */
export function busiestWindow(times: number[], windowMs: number): number {
  const t = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; i < t.length; i++) {
    while (t[i]! - t[j]! >= windowMs) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}
