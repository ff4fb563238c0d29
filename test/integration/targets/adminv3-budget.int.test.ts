import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { runSync } from '../../../src/app/run-sync.js';
import { createV3Harness, expectedRoles, v3State, type V3Harness } from '../../support/conformance/adminv3.js';
import { ROOT } from '../../support/target-harness.js';
import { generateDirectory } from '../../support/synthetic-directory.js';

const redisUrl = inject('redisUrl');
let h: V3Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** Requests per fixed server window, for the windows the run covered whole (not its first and last). */
export function perWindow(timestamps: number[], windowMs: number): number[] {
  const counts = new Map<number, number>();
  for (const t of timestamps) counts.set(Math.floor(t / windowMs), (counts.get(Math.floor(t / windowMs)) ?? 0) + 1);
  const ws = [...counts.keys()].sort((a, b) => a - b);
  return ws.slice(1, -1).map((w) => counts.get(w) ?? 0);
}

describe('Admin API v3: a budget that follows the server', () => {
  it('two processes on one key share a header-driven budget: zero 429s and at least 95% of the budget used', async () => {
    // Scaled down: the server allows 100 calls per 4 s window per key; the configuration says twice
    // that, so only the X-RateLimit-* headers keep the two processes under the server's limit.
    const windowMs = 4000;
    const max = 100;
    const headroom = 0.95;
    h = await createV3Harness(redisUrl, {
      emulator: { rateLimit: { max, windowMs, fixed: true }, latencyMs: [2, 6] },
      target: { rateLimit: { max: 2 * max, duration: windowMs, headroom } },
    });
    const dir = generateDirectory({ people: 520, groups: 12, memberships: 600, seed: 31 });
    h.writeDirectory(dir);
    const second = spawn(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'test/support/worker-process.ts'), h.configPath],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    second.stdout.on('data', (d: Buffer) => (out += d.toString()));
    await new Promise<void>((resolve) => second.stdout.on('data', () => out.includes('worker ready') && resolve()));
    const rt = await h.runtime();
    rt.startWorkers();

    const started = Date.now();
    const run = await runSync(rt, { mode: 'full', trigger: 'backfill' });
    const elapsed = Date.now() - started;
    const exited = new Promise((r) => second.once('exit', r));
    second.kill('SIGTERM');
    await exited;

    const windows = perWindow(
      h.emulator.requestLog.map((r) => r.timestamp),
      windowMs,
    );
    const share = windows.reduce((a, b) => a + b, 0) / windows.length / (max * headroom);
    const rate = (h.emulator.requestLog.length * 1000) / elapsed;
    process.stdout.write(
      `adminv3 budget: ${h.emulator.requestLog.length} calls in ${elapsed} ms (${rate.toFixed(1)}/s; server allows ${(max * 1000) / windowMs}/s), per full window ${JSON.stringify(windows)}, ${(share * 100).toFixed(1)}% of the budget, 429s: ${h.emulator.stats().rateLimited}, handled by the second process: ${/handled (\d+)/.exec(out)?.[1]}\n`,
    );
    expect(run.status).toBe('succeeded');
    expect(v3State(h.emulator).roles).toEqual(expectedRoles(dir));
    expect(h.emulator.stats().rateLimited).toBe(0);
    expect(Number(/handled (\d+)/.exec(out)?.[1] ?? 0)).toBeGreaterThan(0);
    expect(windows.length).toBeGreaterThanOrEqual(4);
    for (const n of windows) expect(n).toBeLessThanOrEqual(max);
    expect(share).toBeGreaterThanOrEqual(0.95);
  });
});
