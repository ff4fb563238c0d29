import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openRuntime, type Runtime } from '../../src/app/runtime.js';
import type { RequestLogEntry } from '../../src/emulators/index.js';
import { silentLogger } from '../../src/log/logger.js';
import type { Snapshot } from '../../src/model/index.js';
import type { ConformanceAdapter, ConformanceEmulator, EmulatorFaults } from './conformance/adapter.js';
import { writeDirectoryCsv } from './synthetic-directory.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface TargetHarness<E> {
  dir: string;
  configPath: string;
  /** The Redis key prefix of this harness's deployment. */
  prefix: string;
  emulator: E;
  /** Rewrites the CSV directory the config points at (with a column per attribute listed). */
  writeDirectory(snapshot: Snapshot, attributes?: readonly string[]): void;
  runtime(): Promise<Runtime>;
  close(): Promise<void>;
}

export interface HarnessConfig {
  target: Record<string, unknown>;
  mapping: Record<string, unknown>;
  policy?: Record<string, unknown>;
  queue?: Record<string, unknown>;
  source?: Record<string, unknown>;
  /** Merged into `redis` (a Sentinel set or a Cluster instead of the URL). */
  redis?: Record<string, unknown>;
  /** Other top-level config sections (`audit`, `notify`). */
  extra?: Record<string, unknown>;
  /** Other keys of the profile (`schedule`). */
  profile?: Record<string, unknown>;
}

let counter = 0;

/**
 * A temp config for one profile `hr` (a CSV directory by default) syncing into a running emulator,
 * on the test Redis under a prefix of its own; runtimes it opens are closed with the emulator.
 */
export function createTargetHarness<E extends { close(): Promise<void> }>(
  redisUrl: string,
  name: string,
  emulator: E,
  c: HarnessConfig,
): TargetHarness<E> {
  const dir = mkdtempSync(join(tmpdir(), `rostersync-${name}-`));
  const configPath = join(dir, 'config.yaml');
  const prefix = `${name}${process.pid}-${Date.now().toString(36)}-${++counter}`;
  const config = {
    redis: { url: redisUrl, prefix, ...c.redis },
    target: c.target,
    // Guards off unless a test turns them on: these harness runs are about end states, not approvals.
    policy: {
      maxDeletes: 1000,
      maxDeletePercent: 100,
      maxRemovals: 100_000,
      maxTeamShrinkPercent: 100,
      maxRoleLosses: 100_000,
      maxRoleLossPercent: 100,
      ...c.policy,
    },
    queue: { concurrency: 16, attempts: 8, backoffMs: 20, ...c.queue },
    log: { level: 'warn' },
    ...c.extra,
    profiles: [
      {
        name: 'hr',
        source: c.source ?? {
          kind: 'csv',
          path: 'dir/people.csv',
          groupsFile: { path: 'dir/groups.csv' },
          maxInvalidRows: 0,
        },
        mapping: c.mapping,
        ...c.profile,
      },
    ],
  };
  writeFileSync(configPath, JSON.stringify(config, null, 2));
  const runtimes: Runtime[] = [];
  return {
    dir,
    configPath,
    prefix,
    emulator,
    writeDirectory: (s, attributes) => void writeDirectoryCsv(s, join(dir, 'dir'), attributes),
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

/** A harness for a conformance adapter: its emulator with these faults, its target block and mapping. */
export async function createAdapterHarness<E extends ConformanceEmulator>(
  redisUrl: string,
  adapter: ConformanceAdapter<E>,
  o: { faults?: EmulatorFaults; policy?: Record<string, unknown>; queue?: Record<string, unknown> } = {},
): Promise<TargetHarness<E>> {
  const emulator = await adapter.startEmulator(o.faults ?? {});
  return createTargetHarness(redisUrl, adapter.kind, emulator, {
    target: adapter.target(emulator),
    mapping: adapter.mapping,
    ...(o.policy ? { policy: o.policy } : {}),
    ...(o.queue ? { queue: o.queue } : {}),
  });
}

/** The write requests (anything but GET) of an emulator's request log, from entry `from` on. */
export const writesOf = (e: { requestLog: RequestLogEntry[] }, from = 0): RequestLogEntry[] =>
  e.requestLog.slice(from).filter((r) => r.method !== 'GET');

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
    onStdout?: (chunk: string, child: ChildProcess) => void;
    /** Called once the child is spawned (to watch something else than its output, and kill it). */
    onSpawn?: (child: ChildProcess) => void;
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

export interface ApiResponse {
  status: number;
  headers: Headers;
  /** Parsed JSON, or undefined for an empty body. */
  body: any;
}

/**
 * One real HTTP call to an emulator with the global fetch: `body` sent as JSON (or `raw` as is),
 * the answer parsed as JSON. `auth` is the Authorization header (null or undefined: none).
 */
export async function callApi(
  url: string,
  method: string,
  body?: unknown,
  o: { auth?: string | null; raw?: string; headers?: Record<string, string> } = {},
): Promise<ApiResponse> {
  const headers: Record<string, string> = { ...o.headers };
  if (o.auth !== undefined && o.auth !== null) headers.authorization = o.auth;
  const payload = o.raw ?? (body === undefined ? undefined : JSON.stringify(body));
  if (payload !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(url, { method, headers, ...(payload !== undefined ? { body: payload } : {}) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}
