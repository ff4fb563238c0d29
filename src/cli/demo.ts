import { fileURLToPath } from 'node:url';
import { openRuntime } from '../app/runtime.js';
import { planSync } from '../app/plan-sync.js';
import { runSync } from '../app/run-sync.js';
import { createChartioEmulator } from '../targets/chartio/emulator/index.js';
import { createLogger } from '../log/logger.js';
import { renderPlanText } from '../plan/render.js';
import { findOrStartRedis } from '../store/redis-server.js';
import { parse } from './args.js';
import { EXIT } from './exit-codes.js';
import { progressReporter } from './progress.js';
import { renderRunSummary } from './summary.js';

const HELP = `rostersync demo [--config FILE]

Starts a strict Chartio emulator in this process, plans the bundled sample directory
(config/sample.yaml) against it, applies the plan through the queue on Redis, then syncs again to
show that a second run has nothing to write. Uses REDIS_URL, else 127.0.0.1:6379, else starts
redis-server on a free loopback port.`;

export async function demoCommand(argv: string[]): Promise<number> {
  const { values } = parse(argv, { config: { type: 'string' } });
  if (values.help) {
    process.stdout.write(HELP + '\n');
    return EXIT.ok;
  }
  const configPath = values.config ?? fileURLToPath(new URL('../../config/sample.yaml', import.meta.url));
  const redis = await findOrStartRedis();
  const emulator = await createChartioEmulator({ org: 'demo-org', apiKey: 'demo-key', apiSecret: 'demo-secret', ownerEmail: 'ada.lovelace@example.com' });
  const prefix = `rostersync-demo-${Date.now().toString(36)}`;
  Object.assign(process.env, { CHARTIO_BASE_URL: `${emulator.url}/v1`, CHARTIO_API_SECRET: 'demo-secret', REDIS_URL: redis.url, ROSTERSYNC_PREFIX: prefix });
  const out = (s = '') => process.stdout.write(s + '\n');
  out(`Chartio emulator on ${emulator.url}/v1 (org demo-org), Redis at ${redis.url}${redis.startedHere ? ' (started for the demo)' : ''}`);
  const rt = await openRuntime(configPath, { log: createLogger({ level: process.env.LOG_LEVEL ?? 'warn' }) });
  try {
    const first = await planSync(rt.config, rt.profile, rt.source, rt.target, rt.log, { mode: 'full', state: await rt.store.planState() });
    out('\n== 1. The plan for the sample directory against an empty org ==\n');
    out(renderPlanText(first.plan, { limit: 12 }));

    rt.startWorkers();
    const writesBefore = emulator.stats().writes;
    const progress = progressReporter();
    const applied = await runSync(rt, { mode: 'full', trigger: 'backfill', onProgress: progress.update });
    progress.finish();
    out('\n== 2. Applied through the queue ==\n');
    out(renderRunSummary(applied.run));
    out(`  the emulator received ${emulator.stats().writes - writesBefore} write calls`);

    const writesMid = emulator.stats().writes;
    const again = await runSync(rt, { mode: 'full', trigger: 'backfill' });
    out('\n== 3. A second sync ==\n');
    out(renderRunSummary(again.run));
    out(`  the emulator received ${emulator.stats().writes - writesMid} write calls: the org matches the directory`);
    const dump = emulator.dump();
    out(`\nThe org now has ${dump.users.length} users in ${dump.teams.length} teams.`);
    out('To keep an emulator running and plan against it yourself:');
    out('  CHARTIO_API_SECRET=demo-secret npx rostersync emulate --port 8089 --org demo-org --api-key demo-key');
    out('  npx rostersync plan --config config/sample.yaml');
    return applied.exitCode || again.exitCode;
  } finally {
    await cleanup(rt.redis, prefix).catch(() => {});
    await rt.close();
    await emulator.close();
    await redis.stop();
  }
}

/** The demo's keys go away with it, so demos never see each other's state. */
async function cleanup(redis: import('ioredis').Redis, prefix: string): Promise<void> {
  for (const pattern of [`${prefix}:*`, `{${prefix}:*`]) {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  }
}
