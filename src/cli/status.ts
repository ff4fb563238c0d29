import { openRuntime, REDIS_OUTAGE_MS } from '../app/runtime.js';
import { silentLogger } from '../log/logger.js';
import { intOption, parse, UsageError } from './args.js';
import { EXIT } from './exit-codes.js';
import { renderRunLine, renderRunSummary } from './summary.js';

const HELP = `rostersync status --config FILE [--profile NAME] [--limit N] [--run RUN_ID] [--json]

Shows the recent runs of a profile (newest first), or one run in detail.
Exit: 0 ok, 64 unknown --run, 69 Redis unavailable, 78 bad config.`;

export async function statusCommand(argv: string[]): Promise<number> {
  const { values } = parse(argv, {
    config: { type: 'string', short: 'c' },
    profile: { type: 'string' },
    limit: { type: 'string' },
    run: { type: 'string' },
    json: { type: 'boolean' },
  });
  if (values.help) {
    process.stdout.write(HELP + '\n');
    return EXIT.ok;
  }
  if (!values.config) throw new UsageError('--config FILE is required\n\n' + HELP);
  const rt = await openRuntime(values.config, {
    log: silentLogger,
    redisOutageMs: REDIS_OUTAGE_MS,
    ...(values.profile ? { profile: values.profile } : {}),
  });
  try {
    if (values.run) {
      const run = await rt.store.getRun(values.run);
      if (!run) throw new UsageError(`run ${values.run} is not in the store`);
      process.stdout.write((values.json ? JSON.stringify(run, null, 2) : renderRunSummary(run)) + '\n');
      return EXIT.ok;
    }
    const runs = await rt.store.listRuns(intOption(values.limit, '--limit') ?? 10);
    if (values.json) {
      process.stdout.write(JSON.stringify(runs, null, 2) + '\n');
      return EXIT.ok;
    }
    if (runs.length === 0) process.stdout.write(`no runs recorded for profile ${rt.profile.name}\n`);
    for (const r of runs) process.stdout.write(renderRunLine(r) + '\n');
    return EXIT.ok;
  } catch (err) {
    throw rt.explain(err);
  } finally {
    await rt.close();
  }
}
