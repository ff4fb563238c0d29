// Admin API v3: writes against the minimum for a backfill and a 5% churn day, and how much of a
// header-driven budget two processes on one key use (the server's window is the only limit that binds).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runSync } from '../src/app/run-sync.js';
import { findOrStartRedis } from '../src/store/redis-server.js';
import { generateDirectory } from '../test/support/synthetic-directory.js';
import { createV3Harness, expectedRoles, minimumWrites, workday } from '../test/support/conformance/adminv3.js';
import { writesOf } from '../test/support/target-harness.js';

export interface AdminV3Row {
  people: number;
  backfillWrites: number;
  backfillMinimum: number;
  churnWrites: number;
  churnMinimum: number;
  /** Scaled-down budget run: the server's window and what two processes made of it. */
  budget: {
    calls: number;
    seconds: number;
    callsPerSecond: number;
    serverPerSecond: number;
    share: number;
    rateLimited: number;
    secondProcessOps: number;
  };
}

const WORKER = fileURLToPath(new URL('../test/support/worker-process.ts', import.meta.url));

export async function adminv3Bench(people: number, groups: number): Promise<AdminV3Row> {
  const redis = await findOrStartRedis();
  try {
    const h = await createV3Harness(redis.url, { emulator: { acceptInvitationsAfterMs: 0 } });
    let row: Omit<AdminV3Row, 'budget'>;
    try {
      const day1 = generateDirectory({ people, groups, memberships: people * 2, nestingDepth: 2, seed: 51 });
      h.writeDirectory(day1);
      const rt = await h.runtime();
      rt.startWorkers();
      await runSync(rt, { mode: 'full', trigger: 'backfill' });
      const backfillWrites = writesOf(h.emulator).length;
      const day2 = workday(day1, 52);
      h.writeDirectory(day2);
      await runSync(rt, { mode: 'full', trigger: 'schedule' });
      row = {
        people,
        backfillWrites,
        backfillMinimum: Object.keys(expectedRoles(day1)).length,
        churnWrites: writesOf(h.emulator).length - backfillWrites,
        churnMinimum: minimumWrites(expectedRoles(day1), expectedRoles(day2)),
      };
    } finally {
      await h.close();
    }
    return { ...row, budget: await budgetRun(redis.url) };
  } finally {
    await redis.stop();
  }
}

/** 100 calls per 4 s window per key on the server, twice that configured: only the headers keep it under. */
async function budgetRun(redisUrl: string): Promise<AdminV3Row['budget']> {
  const windowMs = 4000;
  const max = 100;
  const h = await createV3Harness(redisUrl, {
    emulator: { rateLimit: { max, windowMs, fixed: true }, latencyMs: [2, 6] },
    target: { rateLimit: { max: 2 * max, duration: windowMs, headroom: 0.95 } },
  });
  try {
    h.writeDirectory(generateDirectory({ people: 520, groups: 12, memberships: 600, seed: 53 }));
    const second = spawn(process.execPath, ['--import', 'tsx', WORKER, h.configPath], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    second.stdout.on('data', (d: Buffer) => (out += d.toString()));
    await new Promise<void>((resolve) => second.stdout.on('data', () => out.includes('worker ready') && resolve()));
    const rt = await h.runtime();
    rt.startWorkers();
    const t0 = performance.now();
    await runSync(rt, { mode: 'full', trigger: 'backfill' });
    const seconds = (performance.now() - t0) / 1000;
    const exited = new Promise((r) => second.once('exit', r));
    second.kill('SIGTERM');
    await exited;
    const counts = new Map<number, number>();
    for (const r of h.emulator.requestLog)
      counts.set(Math.floor(r.timestamp / windowMs), (counts.get(Math.floor(r.timestamp / windowMs)) ?? 0) + 1);
    const full = [...counts.keys()]
      .sort((a, b) => a - b)
      .slice(1, -1)
      .map((w) => counts.get(w)!);
    const calls = h.emulator.requestLog.length;
    return {
      calls,
      seconds,
      callsPerSecond: calls / seconds,
      serverPerSecond: (max * 1000) / windowMs,
      share: full.reduce((a, b) => a + b, 0) / Math.max(1, full.length) / (max * 0.95),
      rateLimited: h.emulator.stats().rateLimited,
      secondProcessOps: Number(/handled (\d+)/.exec(out)?.[1] ?? 0),
    };
  } finally {
    await h.close();
  }
}
