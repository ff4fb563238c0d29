// Pipeline throughput through BullMQ on a real Redis against the emulator over HTTP.
import { runSync } from '../src/app/run-sync.js';
import { findOrStartRedis } from '../src/store/redis-server.js';
import { generateDirectory } from '../test/support/synthetic-directory.js';
import { createHarness } from '../test/support/conformance/chartio.js';

export interface PipelineResult {
  scenario: string;
  ops: number;
  seconds: number;
  opsPerSecond: number;
  budgetPerSecond?: number;
  budgetShare?: number;
  rateLimited: number;
}

/** Backfill a synthetic directory; returns write calls per second over the apply phase. */
export async function pipeline(
  scenario: string,
  o: { people: number; latencyMs?: [number, number]; budget?: { max: number; duration: number }; concurrency?: number },
): Promise<PipelineResult> {
  const redis = await findOrStartRedis();
  const limit = o.budget ? { max: o.budget.max, windowMs: o.budget.duration } : false;
  const h = await createHarness(redis.url, {
    emulator: { ...(o.latencyMs ? { latencyMs: o.latencyMs } : {}), rateLimit: limit },
    ...(o.budget ? { rateLimit: { ...o.budget, headroom: 0.95 } } : {}),
    queue: { concurrency: o.concurrency ?? 8 },
  });
  try {
    h.writeDirectory(
      generateDirectory({
        people: o.people,
        groups: Math.max(10, Math.round(o.people / 20)),
        memberships: Math.round(o.people * 1.5),
        seed: 7,
      }),
    );
    const rt = await h.runtime();
    rt.startWorkers();
    const out = await runSync(rt, { mode: 'full', trigger: 'backfill' });
    const ops = out.plan!.phases.flat().length;
    const seconds = (out.run.timings?.applyMs ?? 0) / 1000;
    const opsPerSecond = ops / seconds;
    const budgetPerSecond = o.budget ? (o.budget.max * 0.95) / (o.budget.duration / 1000) : undefined;
    return {
      scenario,
      ops,
      seconds,
      opsPerSecond,
      rateLimited: h.emulator.stats().rateLimited,
      ...(budgetPerSecond ? { budgetPerSecond, budgetShare: opsPerSecond / budgetPerSecond } : {}),
    };
  } finally {
    await h.close();
    await redis.stop();
  }
}
