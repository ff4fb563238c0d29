import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createChartioEmulator, type ChartioEmulator } from '../../src/targets/chartio/emulator/index.js';
import type { ChartioEmulatorOptions } from '../../src/targets/chartio/emulator/index.js';
import { openRuntime, type Runtime } from '../../src/app/runtime.js';
import { silentLogger } from '../../src/log/logger.js';
import type { Snapshot } from '../../src/model/index.js';
import { writeDirectoryCsv } from './synthetic-directory.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const SECRET = 'harness-api-secret-6f1e';

export interface Harness {
  dir: string;
  configPath: string;
  prefix: string;
  emulator: ChartioEmulator;
  /** Rewrites the CSV directory the config points at. */
  writeDirectory(snapshot: Snapshot): void;
  runtime(): Promise<Runtime>;
  close(): Promise<void>;
}

let counter = 0;

/** A temp config: CSV source (synthetic directory) -> a fresh emulator, on the test Redis with its own prefix. */
export async function createHarness(
  redisUrl: string,
  o: {
    emulator?: ChartioEmulatorOptions;
    policy?: Record<string, unknown>;
    queue?: Record<string, unknown>;
    rateLimit?: { max: number; duration: number; headroom?: number };
    /** The profile's mapping (default: group-N -> team-N) and source (default: the CSV files writeDirectory writes). */
    mapping?: Record<string, unknown>;
    source?: Record<string, unknown>;
    /** Merged into `redis` (a Sentinel set or a Cluster instead of the URL). */
    redis?: Record<string, unknown>;
  } = {},
): Promise<Harness> {
  const emulator = await createChartioEmulator({
    org: 'acme',
    apiKey: 'key',
    apiSecret: SECRET,
    rateLimit: false,
    ownerEmail: 'owner@example.com',
    ...o.emulator,
  });
  const dir = mkdtempSync(join(tmpdir(), 'rostersync-harness-'));
  const prefix = `t${process.pid}-${Date.now().toString(36)}-${++counter}`;
  const configPath = join(dir, 'config.yaml');
  const rl = o.rateLimit ?? { max: 100_000, duration: 1000, headroom: 1 };
  writeFileSync(
    configPath,
    JSON.stringify(
      {
        redis: { url: redisUrl, prefix, ...o.redis },
        target: {
          kind: 'chartio',
          baseUrl: `${emulator.url}/v1`,
          org: 'acme',
          apiKey: 'key',
          apiSecret: '${CHARTIO_SECRET:-' + SECRET + '}',
          timeoutMs: 5000,
          rateLimit: { headroom: 1, ...rl },
        },
        policy: { maxDeletes: 1000, maxDeletePercent: 100, ...o.policy },
        queue: { concurrency: 16, attempts: 8, backoffMs: 20, ...o.queue },
        log: { level: 'warn' },
        profiles: [
          {
            name: 'hr',
            source: o.source ?? {
              kind: 'csv',
              path: 'dir/people.csv',
              groupsFile: { path: 'dir/groups.csv' },
              maxInvalidRows: 0,
            },
            mapping: o.mapping ?? { rules: [{ match: '^group-(\\d+)$', team: 'team-$1' }] },
          },
        ],
      },
      null,
      2,
    ),
  );
  const runtimes: Runtime[] = [];
  return {
    dir,
    configPath,
    prefix,
    emulator,
    writeDirectory: (s) => void writeDirectoryCsv(s, join(dir, 'dir')),
    async runtime() {
      const rt = await openRuntime(configPath, { log: silentLogger });
      runtimes.push(rt);
      return rt;
    },
    async close() {
      for (const rt of runtimes) await rt.close();
      await emulator.close();
    },
  };
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the real CLI in a child process (as an operator would). */
export function runCli(
  args: string[],
  opts: {
    env?: NodeJS.ProcessEnv;
    onStdout?: (chunk: string, child: import('node:child_process').ChildProcess) => void;
  } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), ...args], {
      cwd: ROOT,
      env: { ...process.env, ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      opts.onStdout?.(d.toString(), child);
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      opts.onStdout?.(d.toString(), child);
    });
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** Team name -> sorted member emails, from the emulator, for exact-state assertions. */
export function teamsState(emulator: ChartioEmulator): Record<string, string[]> {
  return Object.fromEntries(emulator.dump().teams.map((t) => [t.name, [...t.members].sort()]));
}
