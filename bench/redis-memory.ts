// Redis memory held by queued op jobs (10,000 ops of a plan enqueued, no workers running) and by the
// same 10,000 ops stored as a run's plan (what resume, approvals and the run page read).
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { opJobId, opJobOptions, OPS_QUEUE, type OpJobData } from '../src/queue/op-jobs.js';
import { findOrStartRedis } from '../src/store/redis-server.js';
import type { Op, Plan } from '../src/model/index.js';
import { Store } from '../src/store/store.js';

export async function redisMemoryPer10k(): Promise<{ bytesPer10k: number; jobs: number; planBytesPer10k: number }> {
  const server = await findOrStartRedis();
  const redis = new Redis(server.url);
  const prefix = `{bench-mem-${Date.now()}}`;
  const queue = new Queue<OpJobData>(OPS_QUEUE, { connection: redis, prefix });
  try {
    const used = async () => Number(/used_memory:(\d+)/.exec(await redis.info('memory'))![1]);
    const before = await used();
    const ops: Op[] = Array.from({ length: 10_000 }, (_, i) => ({
      kind: 'addMember',
      key: `add.${100_000 + i}.${i % 300}`,
      user: { id: String(100_000 + i), sourceId: `p${i}`, email: `user${i}@example.com` },
      team: { id: String(i % 300), name: `team-${i % 300}` },
      reason: `directory puts user${i}@example.com in "team-${i % 300}"`,
      dependsOn: [],
    }));
    for (let i = 0; i < ops.length; i += 500) {
      await queue.addBulk(
        ops.slice(i, i + 500).map((op) => ({
          name: op.kind,
          data: { runId: 'bench', profile: 'bench', op },
          opts: { ...opJobOptions({ attempts: 8, backoffMs: 1000 }), jobId: opJobId('bench', 'pbench', op) },
        })),
      );
    }
    const after = await used();
    const store = new Store(redis, `bench-mem-${Date.now()}`, 'bench', 5);
    await store.startRun(
      {
        runId: 'bench',
        profile: 'bench',
        trigger: 'backfill',
        mode: 'full',
        status: 'running',
        startedAt: new Date().toISOString(),
        planned: {},
        totalOps: ops.length,
        warnings: 0,
      },
      {
        id: 'pbench',
        createdAt: '',
        phases: [ops],
        counts: {} as Plan['counts'],
        warnings: [],
        estimate: { writes: ops.length, reads: 0, ratePerSecond: 1, etaSeconds: 0 },
        stats: { desiredPeople: 0, desiredTeams: 0, targetUsers: 0, targetTeams: 0, usersInScope: 0, deletions: 0 },
      },
    );
    const planKeys = store.keys.run('bench');
    const planBytes =
      Number(await redis.call('MEMORY', 'USAGE', planKeys.planOps, 'SAMPLES', '0')) +
      Number(await redis.call('MEMORY', 'USAGE', planKeys.plan));
    await redis.del(...Object.values(planKeys), store.keys.runs);
    return { bytesPer10k: after - before, jobs: await queue.count(), planBytesPer10k: planBytes };
  } finally {
    await queue.obliterate({ force: true }).catch(() => {});
    await queue.close();
    redis.disconnect();
    await server.stop();
  }
}
