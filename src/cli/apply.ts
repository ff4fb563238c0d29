import { readFile } from 'node:fs/promises';
import { openRuntime, REDIS_OUTAGE_MS } from '../app/runtime.js';
import { applyReviewedPlan } from '../app/run-sync.js';
import { withProfileLock } from '../app/profile-lock.js';
import { ConfigError } from '../errors/index.js';
import type { Plan } from '../model/index.js';
import { parse, UsageError } from './args.js';
import { EXIT } from './exit-codes.js';
import { progressReporter } from './progress.js';
import { renderRunSummary } from './summary.js';

const HELP = `rostersync apply PLAN.json --config FILE [--profile NAME]

Applies a plan written by "rostersync plan --out PLAN.json" after review. The target is read once
to check the plan still fits: if users or teams it names are gone, it refuses (exit 2) and asks for
a new plan. The source is not read again.
Exit: 0 ok, 1 some ops failed, 2 blocked (blocked or stale plan), 69 target or Redis unavailable,
75 another process runs the profile, 78 bad config or plan file.`;

export async function applyCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(
    argv,
    { config: { type: 'string', short: 'c' }, profile: { type: 'string' } },
    true,
  );
  if (values.help) {
    process.stdout.write(HELP + '\n');
    return EXIT.ok;
  }
  if (!values.config || positionals.length !== 1) throw new UsageError('usage: ' + HELP);
  let plan: Plan;
  try {
    plan = JSON.parse(await readFile(positionals[0]!, 'utf8')) as Plan;
  } catch (err) {
    throw new ConfigError(`${positionals[0]}: not a readable plan file (${(err as Error).message})`);
  }
  if (!plan.id || !Array.isArray(plan.phases))
    throw new ConfigError(`${positionals[0]}: not a rostersync plan (no id or phases)`);
  const rt = await openRuntime(values.config, {
    redisOutageMs: REDIS_OUTAGE_MS,
    ...(values.profile ? { profile: values.profile } : {}),
  });
  const progress = progressReporter();
  try {
    rt.startWorkers();
    const outcome = await withProfileLock(rt.store, 'apply', (signal) =>
      applyReviewedPlan(rt, plan, { onProgress: progress.update, signal: AbortSignal.any([signal, rt.redisLost]) }),
    );
    progress.finish();
    process.stdout.write(renderRunSummary(outcome.run) + '\n');
    return outcome.exitCode;
  } catch (err) {
    throw rt.explain(err);
  } finally {
    await rt.close();
  }
}
