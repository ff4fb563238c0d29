import { openRuntime } from '../app/runtime.js';
import { planFromStore, runSync } from '../app/run-sync.js';
import type { EmulatorPlugin } from '../emulators/index.js';
import { createLogger } from '../log/logger.js';
import { renderPlanText } from '../plan/render.js';
import { findOrStartRedis } from '../store/redis-server.js';
import { TARGET_KINDS } from '../targets/registry.js';
import { parse, UsageError } from './args.js';
import { EXIT } from './exit-codes.js';
import { progressReporter } from './progress.js';
import { renderRunSummary } from './summary.js';

const HELP = `rostersync demo [--target KIND] [--config FILE]

For each target that ships an emulator (or the one --target names): starts its strict emulator in
this process, plans the bundled sample directory against it with the target's sample config
(config/sample*.yaml), applies the plan through the queue on Redis, then
syncs again to show that a second run has nothing to write. Uses REDIS_URL, else 127.0.0.1:6379,
else starts redis-server on a free loopback port.`;

export async function demoCommand(argv: string[]): Promise<number> {
  const { values } = parse(argv, { config: { type: 'string' }, target: { type: 'string' } });
  if (values.help) {
    process.stdout.write(HELP + '\n');
    return EXIT.ok;
  }
  const { EMULATORS, loadEmulators } = await import('../emulators/registry.js');
  const kinds = TARGET_KINDS.filter((k) => Object.hasOwn(EMULATORS, k));
  const demos = [...(await loadEmulators(kinds.filter((k) => values.target === undefined || values.target === k)))];
  if (demos.length === 0) throw new UsageError(`--target expects one of ${kinds.join(', ')}, got "${values.target}"`);
  const redis = await findOrStartRedis();
  const out = (s = '') => process.stdout.write(s + '\n');
  out(`Redis at ${redis.url}${redis.startedHere ? ' (started for the demo)' : ''}`);
  let exit = 0;
  try {
    for (const [kind, emulator] of demos) exit ||= await demoOne(kind, emulator, values.config, redis.url, out);
  } finally {
    await redis.stop();
  }
  return exit;
}

async function demoOne(
  kind: string,
  plugin: EmulatorPlugin,
  config: string | undefined,
  redisUrl: string,
  out: (s?: string) => void,
): Promise<number> {
  const emulator = await plugin.startDemo();
  const prefix = `rostersync-demo-${kind}-${Date.now().toString(36)}`;
  Object.assign(process.env, emulator.env, { REDIS_URL: redisUrl, ROSTERSYNC_PREFIX: prefix });
  out(`\n######## ${kind}: ${emulator.summary} ########`);
  const rt = await openRuntime(config ?? plugin.demoConfig, {
    log: createLogger({ level: process.env.LOG_LEVEL ?? 'warn' }),
  });
  try {
    const first = await planFromStore(rt, { mode: 'full' });
    out('\n== 1. The plan for the sample directory ==\n');
    out(renderPlanText(first.plan, { limit: 12 }));

    rt.startWorkers();
    const writesBefore = emulator.writes();
    const progress = progressReporter();
    const applied = await runSync(rt, { mode: 'full', trigger: 'backfill', onProgress: progress.update });
    progress.finish();
    out('\n== 2. Applied through the queue ==\n');
    out(renderRunSummary(applied.run));
    out(`  the emulator received ${emulator.writes() - writesBefore} write calls`);

    const writesMid = emulator.writes();
    const again = await runSync(rt, { mode: 'full', trigger: 'backfill' });
    out('\n== 3. A second sync ==\n');
    out(renderRunSummary(again.run));
    out(`  the emulator received ${emulator.writes() - writesMid} write calls: the target matches the directory`);
    out(`\n${emulator.describeState()}`);
    out('To keep an emulator running and plan against it yourself:');
    for (const line of emulator.tryItYourself) out(`  ${line}`);
    return applied.exitCode || again.exitCode;
  } finally {
    await cleanup(rt.redis, prefix).catch(() => {});
    await rt.close();
    await emulator.close();
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
