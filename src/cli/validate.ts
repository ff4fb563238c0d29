import { openApp } from '../app/open-app.js';
import { silentLogger } from '../log/logger.js';
import { describeRedis, openRedis } from '../app/runtime.js';
import type { RedisConfig } from '../config/redis-schema.js';
import { parse, UsageError } from './args.js';
import { exitCodeOf } from './exit-code-of.js';
import { EXIT } from './exit-codes.js';

const HELP = `rostersync validate --config FILE [--profile NAME] [--offline]

Checks the config (every bad key is named with its line), then connectivity: the source of each
profile, the target (credentials included) and Redis. --offline checks the config only.
Exit: 0 all good, 69 something unreachable, 78 bad config (also: a credential or id the far side
refused, such as a wrong client secret).`;

export async function validateCommand(argv: string[]): Promise<number> {
  const { values } = parse(argv, {
    config: { type: 'string', short: 'c' },
    profile: { type: 'string' },
    offline: { type: 'boolean' },
  });
  if (values.help) {
    process.stdout.write(HELP + '\n');
    return EXIT.ok;
  }
  if (!values.config) throw new UsageError('--config FILE is required\n\n' + HELP);
  const app = await openApp(values.config, {
    log: silentLogger,
    ...(values.profile ? { profile: values.profile } : {}),
  });
  process.stdout.write(
    `config   ok   ${app.configPath} (${app.config.profiles.length} profile(s), target ${app.target.kind})\n`,
  );
  if (values.offline) return EXIT.ok;

  const checks: [string, () => Promise<void>][] = [
    [`source   ${app.profile.name} (${app.profile.source.kind})`, async () => app.source.check?.()],
    [`target   ${app.target.kind} ${app.target.budget.key}`, async () => app.target.check?.()],
    [`redis    ${describeRedis(app.config.redis)}`, () => pingRedis(app.config.redis)],
  ];
  let failed = 0;
  let configFailed = 0;
  for (const [name, check] of checks) {
    try {
      await check();
      process.stdout.write(`${name}  ok\n`);
    } catch (err) {
      failed += 1;
      if (exitCodeOf(err) === EXIT.config) configFailed += 1;
      process.stdout.write(`${name}  FAILED: ${err instanceof Error ? err.message : String(err)}\n`);
    }
  }
  // A key to fix (a refused secret) is the config's error: 78 before 69, as a run would exit.
  return failed === 0 ? EXIT.ok : configFailed > 0 ? EXIT.config : EXIT.unavailable;
}

async function pingRedis(config: RedisConfig): Promise<void> {
  // No retries: validate reports what it finds now.
  const redis = openRedis(config, () => null);
  // The failure is reported by connect() below; without a listener ioredis prints every
  // connection error as "[ioredis] Unhandled error event" with a stack.
  redis.on('error', () => {});
  try {
    await redis.connect();
    await redis.ping();
  } finally {
    redis.disconnect();
  }
}
