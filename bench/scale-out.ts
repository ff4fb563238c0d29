// Scale-out: 1, 2 and 4 worker processes on one Redis against one emulator.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { runSync } from '../src/app/run-sync.js';
import { findOrStartRedis } from '../src/store/redis-server.js';
import { generateDirectory } from '../test/support/synthetic-directory.js';
import { createHarness } from '../test/support/conformance/chartio.js';
import { ROOT } from '../test/support/target-harness.js';

export interface ScaleOutRow {
  processes: number;
  budget: string;
  ops: number;
  seconds: number;
  opsPerSecond: number;
  maxCallsPerSecond: number;
  budgetPerSecond?: number;
  rateLimited: number;
}

async function workers(configPath: string, n: number): Promise<ChildProcess[]> {
  const children = Array.from({ length: n }, () =>
    spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'test/support/worker-process.ts'), configPath], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    }),
  );
  await Promise.all(
    children.map(
      (c) =>
        new Promise<void>((resolve) =>
          c.stdout!.on('data', (d: Buffer) => d.toString().includes('worker ready') && resolve()),
        ),
    ),
  );
  return children;
}

/** `on`: a Redis config (a Cluster) instead of the local single server. */
export async function scaleOut(
  processes: number,
  people: number,
  budget?: { max: number; duration: number },
  on?: Record<string, unknown>,
): Promise<ScaleOutRow> {
  const redis = on ? { url: 'redis://unused', stop: async () => {} } : await findOrStartRedis();
  const h = await createHarness(redis.url, {
    ...(on ? { redis: on } : {}),
    emulator: { rateLimit: budget ? { max: budget.max, windowMs: budget.duration } : false },
    ...(budget ? { rateLimit: { ...budget, headroom: 0.95 } } : {}),
    queue: { concurrency: 16 },
  });
  const extra = await workers(h.configPath, processes - 1);
  try {
    h.writeDirectory(
      generateDirectory({
        people,
        groups: Math.max(10, Math.round(people / 20)),
        memberships: Math.round(people * 1.5),
        seed: 201,
      }),
    );
    const rt = await h.runtime();
    rt.startWorkers();
    const out = await runSync(rt, { mode: 'full', trigger: 'backfill' });
    const ops = out.plan!.phases.flat().length;
    const seconds = (out.run.timings?.applyMs ?? 0) / 1000;
    const times = h.emulator.requestLog.map((r) => r.timestamp).sort((a, b) => a - b);
    // Busiest 5 s window (or the whole run if shorter), as calls per second.
    const span = Math.min(5000, Math.max(1000, times.at(-1)! - times[0]!));
    let busiest = 0;
    for (let i = 0, j = 0; i < times.length; i++) {
      while (times[i]! - times[j]! >= span) j++;
      busiest = Math.max(busiest, i - j + 1);
    }
    const maxCallsPerSecond = busiest / (span / 1000);
    return {
      processes,
      budget: budget ? `${budget.max}/${budget.duration / 1000}s` : 'none',
      ops,
      seconds,
      opsPerSecond: ops / seconds,
      maxCallsPerSecond,
      ...(budget ? { budgetPerSecond: (budget.max * 0.95) / (budget.duration / 1000) } : {}),
      rateLimited: h.emulator.stats().rateLimited,
    };
  } finally {
    for (const c of extra) c.kill('SIGTERM');
    await Promise.all(extra.map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.once('exit', r)))));
    await h.close();
    await redis.stop();
  }
}
