// Redis memory held by queued op jobs: enqueue 10,000 ops of a plan with no workers running.
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { opJobId, opJobOptions, OPS_QUEUE, type OpJobData } from '../src/queue/op-jobs.js';
import { findOrStartRedis } from '../src/store/redis-server.js';
import type { Op } from '../src/model/index.js';

export async function redisMemoryPer10k(): Promise<{ bytesPer10k: number; jobs: number }> {
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
    return { bytesPer10k: after - before, jobs: await queue.count() };
  } finally {
    await queue.obliterate({ force: true }).catch(() => {});
    await queue.close();
    redis.disconnect();
    await server.stop();
  }
}
