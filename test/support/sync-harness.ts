import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createChartioEmulator, type ChartioEmulator } from '../../src/emulators/chartio/index.js';
import type { ChartioEmulatorOptions } from '../../src/emulators/chartio/index.js';
import { createTargetHarness, type TargetHarness } from './target-harness.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const SECRET = 'harness-api-secret-6f1e';

export type Harness = TargetHarness<ChartioEmulator>;

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
  const rl = o.rateLimit ?? { max: 100_000, duration: 1000, headroom: 1 };
  return createTargetHarness(redisUrl, 't', emulator, {
    target: {
      kind: 'chartio',
      baseUrl: `${emulator.url}/v1`,
      org: 'acme',
      apiKey: 'key',
      apiSecret: '${CHARTIO_SECRET:-' + SECRET + '}',
      timeoutMs: 5000,
      rateLimit: { headroom: 1, ...rl },
    },
    mapping: o.mapping ?? { rules: [{ match: '^group-(\\d+)$', team: 'team-$1' }] },
    ...(o.policy ? { policy: o.policy } : {}),
    ...(o.queue ? { queue: o.queue } : {}),
    ...(o.source ? { source: o.source } : {}),
    ...(o.redis ? { redis: o.redis } : {}),
  });
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
    /** Called once the child is spawned (to watch something else than its output, and kill it). */
    onSpawn?: (child: import('node:child_process').ChildProcess) => void;
  } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), ...args], {
      cwd: ROOT,
      env: { ...process.env, ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    opts.onSpawn?.(child);
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
