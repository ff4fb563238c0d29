import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openRuntime, type Runtime } from '../../src/app/runtime.js';
import { silentLogger } from '../../src/log/logger.js';
import type { Snapshot } from '../../src/model/index.js';
import { writeDirectoryCsv } from './synthetic-directory.js';

export interface TargetHarness<E> {
  dir: string;
  configPath: string;
  /** The Redis key prefix of this harness's deployment. */
  prefix: string;
  emulator: E;
  /** Rewrites the CSV directory the config points at. */
  writeDirectory(snapshot: Snapshot): void;
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
      ...c.policy,
    },
    queue: { concurrency: 16, attempts: 8, backoffMs: 20, ...c.queue },
    log: { level: 'warn' },
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
