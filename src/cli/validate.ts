import { wireApp, type App } from '../app/open-app.js';
import { loadConfig, type LoadedConfig } from '../config/load-config.js';
import { silentLogger } from '../log/logger.js';
import { describeRedis, openRedis } from '../app/runtime.js';
import type { RedisConfig } from '../config/redis-schema.js';
import { parse, UsageError } from './args.js';
import { exitCodeOf } from './exit-code-of.js';
import { EXIT } from './exit-codes.js';

const HELP = `rostersync validate --config FILE [--profile NAME] [--offline]

Checks the config (every bad key is named with its line), then connectivity: every profile's
source and target (credentials included; a target several profiles share is tried once), one line
per profile, then Redis. --profile checks that profile only; --offline checks the config only.
Exit: 0 all good, 69 something unreachable, 78 bad config (also: a credential or id the far side
refused, such as a wrong client secret or bind password).`;

/** One check's result: undefined when it passed, else its exit code and its message on one line. */
type Failure = { code: number | undefined; message: string } | undefined;

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
  const loaded = await loadConfig(values.config);
  // Wiring every profile first finds a bad key (an unknown --profile, a target URL) before any connection.
  const names = values.profile !== undefined ? [values.profile] : loaded.config.profiles.map((p) => p.name);
  const apps = names.map((profile) => wireApp(loaded, { log: silentLogger, profile }));
  process.stdout.write(`config   ok   ${loaded.path} (${describeProfiles(loaded)})\n`);
  if (values.offline) return EXIT.ok;

  const width = Math.max(...apps.map((a) => a.profile.name.length));
  const targetChecks = new Map<string, Promise<Failure>>();
  // What a passed target check said of the server (e.g. the features it supports), by target.
  const learned = new Map<string, string>();
  const results = await Promise.all(
    apps.map(async (app) => {
      // Profiles that share a target share its check (and its rate budget): it is tried once.
      let target = targetChecks.get(app.targetName);
      if (!target) {
        const check = attempt(async () => {
          const said = await app.target.check?.();
          if (typeof said === 'string') learned.set(app.targetName, said);
        });
        targetChecks.set(app.targetName, (target = check));
      }
      const [source, targetResult] = await Promise.all([
        attempt(() => app.source.check?.()).finally(() => app.source.close?.().catch(() => {})),
        target,
      ]);
      return { app, source, target: targetResult };
    }),
  );
  const redis = await attempt(() => pingRedis(loaded.config.redis));

  const failures: Failure[] = [];
  for (const { app, source, target } of results) {
    failures.push(source, target);
    const status = source || target ? 'FAILED' : 'ok    ';
    process.stdout.write(
      `profile  ${app.profile.name.padEnd(width)}  ${status}  ` +
        `source ${app.profile.source.kind} ${said(source)}; target ${describeTarget(app)} ${said(target)}` +
        `${!target && learned.has(app.targetName) ? ` (${learned.get(app.targetName)})` : ''}\n`,
    );
  }
  process.stdout.write(`redis    ${describeRedis(loaded.config.redis)}  ${said(redis)}\n`);
  failures.push(redis);
  const failed = failures.filter((f) => f !== undefined);
  // A key to fix (a refused secret) is the config's error: 78 before 69, as a run would exit.
  if (failed.length === 0) return EXIT.ok;
  return failed.some((f) => f.code === EXIT.config) ? EXIT.config : EXIT.unavailable;
}

function describeProfiles({ config }: LoadedConfig): string {
  const targets = config.target
    ? `target ${config.target.kind}`
    : `targets ${Object.entries(config.targets ?? {})
        .map(([n, t]) => `${n} (${t.kind})`)
        .join(', ')}`;
  return `${config.profiles.length} profile(s): ${config.profiles.map((p) => p.name).join(', ')}; ${targets}`;
}

/** `chartio 127.0.0.1:8080`, or `eu: grafana grafana.eu.example` for a named target. */
function describeTarget(app: App): string {
  const what = `${app.target.kind} ${app.target.budget.key}`;
  return app.config.target ? what : `${app.targetName}: ${what}`;
}

async function attempt(check: () => Promise<unknown> | undefined): Promise<Failure> {
  try {
    await check();
    return undefined;
  } catch (err) {
    const message = (err instanceof Error ? err.message : String(err)).split('\n').join('; ');
    return { code: exitCodeOf(err), message };
  }
}

function said(f: Failure): string {
  return f ? `FAILED: ${f.message}` : 'ok';
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
