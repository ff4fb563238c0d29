import { Redis } from 'ioredis';
import { openApp } from '../app/open-app.js';
import { silentLogger } from '../log/logger.js';
import { maskUrl } from '../log/mask-url.js';
import { parse, UsageError } from './args.js';
import { EXIT } from './exit-codes.js';

const HELP = `rostersync validate --config FILE [--profile NAME] [--offline]

Checks the config (every bad key is named with its line), then connectivity: the source of each
profile, the target (credentials included) and Redis. --offline checks the config only.
Exit: 0 all good, 69 something unreachable, 78 bad config.`;

export async function validateCommand(argv: string[]): Promise<number> {
  const { values } = parse(argv, { config: { type: 'string', short: 'c' }, profile: { type: 'string' }, offline: { type: 'boolean' } });
  if (values.help) {
    process.stdout.write(HELP + '\n');
    return EXIT.ok;
  }
  if (!values.config) throw new UsageError('--config FILE is required\n\n' + HELP);
  const app = await openApp(values.config, { log: silentLogger, ...(values.profile ? { profile: values.profile } : {}) });
  process.stdout.write(`config   ok   ${app.configPath} (${app.config.profiles.length} profile(s), target ${app.target.kind})\n`);
  if (values.offline) return EXIT.ok;

  const checks: [string, () => Promise<void>][] = [
    [`source   ${app.profile.name} (${app.profile.source.kind})`, async () => app.source.check?.()],
    [`target   ${app.target.kind} ${app.target.budget.key}`, async () => app.target.check?.()],
    [`redis    ${maskUrl(app.config.redis.url)}`, () => pingRedis(app.config.redis.url)],
  ];
  let failed = 0;
  for (const [name, check] of checks) {
    try {
      await check();
      process.stdout.write(`${name}  ok\n`);
    } catch (err) {
      failed += 1;
      process.stdout.write(`${name}  FAILED: ${err instanceof Error ? err.message : String(err)}\n`);
    }
  }
  return failed === 0 ? EXIT.ok : EXIT.unavailable;
}

async function pingRedis(url: string): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 3000, retryStrategy: () => null });
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
