import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openRuntime, type Runtime } from '../../../src/app/runtime.js';
import { startDaemon, type Daemon } from '../../../src/daemon/daemon.js';
import { enqueueTick, SYNC_QUEUE, type SyncJobData } from '../../../src/daemon/scheduler.js';
import { silentLogger } from '../../../src/log/logger.js';
import { queuePrefix } from '../../../src/store/keys.js';
import { generateDirectory } from '../../support/synthetic-directory.js';
import { createHarness, type Harness } from '../../support/conformance/chartio.js';
import { ROOT } from '../../support/target-harness.js';

const OUT = join(ROOT, 'test-output');
let h: Harness;
let d: Daemon;
let rt: Runtime;
let browser: Browser;

beforeAll(async () => {
  h = await createHarness(inject('redisUrl'), { emulator: { latencyMs: [40, 60] }, queue: { concurrency: 2 } });
  h.writeDirectory(generateDirectory({ people: 150, groups: 8, memberships: 200, seed: 51 }));
  const config = JSON.parse(readFileSync(h.configPath, 'utf8'));
  config.daemon = { http: { host: '127.0.0.1', port: 0 }, shutdownTimeoutMs: 1000 };
  config.profiles[0].schedule = { full: '0 3 * * *', incremental: '*/15 * * * *', timezone: 'Europe/Berlin' };
  writeFileSync(h.configPath, JSON.stringify(config));
  d = await startDaemon(h.configPath, { log: silentLogger });
  rt = await openRuntime(h.configPath, { log: silentLogger });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  mkdirSync(OUT, { recursive: true });
});
afterAll(async () => {
  await browser?.close();
  await d?.close();
  await rt?.close();
  await h?.close();
});

describe('status page in a real headless Chromium', () => {
  it("shows a running run's progress, then the finished run's counts", async () => {
    const queue = new Queue<SyncJobData>(SYNC_QUEUE, { connection: rt.redis, prefix: queuePrefix(h.prefix) });
    await enqueueTick(queue, { profile: 'hr', mode: 'full', tick: 'manual' }, 'hr.manual-browser', silentLogger);
    await queue.close();
    const page = await browser.newPage({ viewport: { width: 1100, height: 700 } });

    // While it runs: the progress bar with done / total, once some ops are done.
    await expect
      .poll(
        async () => {
          await page.goto(d.url);
          const text = (await page.locator('#current-hr .progress').allInnerTexts())[0] ?? '';
          return Number(/^(\d+) \//.exec(text)?.[1] ?? 0);
        },
        { timeout: 30_000 },
      )
      .toBeGreaterThan(0);
    const running = (await rt.store.listRuns(1))[0]!;
    const [done, total] = (await page.locator('#current-hr .progress').innerText()).match(/\d+/g)!.map(Number);
    expect(total).toBe(running.totalOps);
    expect(done).toBeLessThanOrEqual(total!);
    expect(await page.locator('#current-hr .badge').innerText()).toBe('applying');
    expect(await page.locator('#current-hr a').innerText()).toBe(running.runId);
    await page.screenshot({ path: join(OUT, 'status-page-running.png') });

    // Finished: the run's row with its counts, equal to the run record.
    const run = await (async () => {
      for (;;) {
        const r = (await rt.store.listRuns(1))[0];
        if (r && r.status !== 'running') return r;
        await new Promise((res) => setTimeout(res, 200));
      }
    })();
    await page.goto(d.url);
    const row = page.locator('table.runs tr', { hasText: run.runId });
    await expect.poll(() => row.count()).toBe(1);
    const cells = await row.locator('td').allInnerTexts();
    expect(cells[1]).toBe('succeeded');
    expect(Number(cells[5])).toBe(run.totalOps);
    expect(Number(cells[6])).toBe(
      run.counts['createTeam.applied']! + run.counts['createUser.applied']! + (run.counts['addMember.applied'] ?? 0),
    );
    expect(await page.locator('#current-hr').count()).toBe(0);
    expect(await page.locator('.card').first().innerText()).toMatch(/full 0 3 \* \* \* next 20\d\d-/);
    await page.screenshot({ path: join(OUT, 'status-page.png'), fullPage: true });
    expect(statSync(join(OUT, 'status-page.png')).size).toBeGreaterThan(5000);

    await row.locator('a').click();
    await expect.poll(() => page.locator('h1').innerText()).toContain(run.runId);
  });
});
