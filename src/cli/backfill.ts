import { openRuntime, REDIS_OUTAGE_MS } from '../app/runtime.js';
import { resumeSync, runSync, type SyncOutcome } from '../app/run-sync.js';
import { PROFILE_LOCK_MS, withProfileLock } from '../app/profile-lock.js';
import { renderPlanText } from '../plan/render.js';
import { ALLOW_OPTIONS, allowancesOf, parse, UsageError } from './args.js';
import { EXIT } from './exit-codes.js';
import { chooseLogFormat, LOG_FORMAT_HELP, LOG_FORMAT_OPTION } from './log-format.js';
import { progressReporter } from './progress.js';
import { renderRunSummary } from './summary.js';

const HELP = `rostersync backfill --config FILE [--profile NAME] [--resume] [--allow-deletes N] [--allow-role-losses N] [--allow-removals N] [--allow-grant-removals N] [--incremental] [--log-format json|text]

One-shot sync: read the directory and the target, plan, check safety, enqueue, and run workers in
this process until every op has an outcome. Safe to interrupt (Ctrl-C or a crash): --resume
continues the unfinished run from its stored plan without re-reading the target or repeating calls.
  --allow-deletes N  accept up to N deletions for this run (over the policy's guard)
  --allow-role-losses N  accept up to N people losing the highest role (policy.maxRoleLosses)
  --allow-removals N  accept up to N membership removals (policy.maxRemovals, maxTeamShrinkPercent)
  --allow-grant-removals N accept up to N removed grants of managed teams (policy.maxGrantRemovals)
  --resume           continue the unfinished run; with none, says so and exits 0
${LOG_FORMAT_HELP}
Exit: 0 ok (or nothing to resume), 1 some ops failed, 2 blocked by safety, 69 source, target or
Redis unreachable (Redis: for more than ${REDIS_OUTAGE_MS / 1000} s), 75 another process runs the profile, 78 bad config,
130 interrupted.`;

export async function backfillCommand(argv: string[]): Promise<number> {
  const { values } = parse(argv, {
    config: { type: 'string', short: 'c' },
    profile: { type: 'string' },
    resume: { type: 'boolean' },
    ...ALLOW_OPTIONS,
    incremental: { type: 'boolean' },
    ...LOG_FORMAT_OPTION,
  });
  if (values.help) {
    process.stdout.write(HELP + '\n');
    return EXIT.ok;
  }
  if (!values.config) throw new UsageError('--config FILE is required\n\n' + HELP);
  const allowances = allowancesOf(values);
  const rt = await openRuntime(values.config, {
    redisOutageMs: REDIS_OUTAGE_MS,
    logFormat: chooseLogFormat(values['log-format'], process.stderr.isTTY),
    ...(values.profile ? { profile: values.profile } : {}),
  });
  const abort = new AbortController();
  const interrupted = () => abort.abort(new Error('interrupted'));
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  const progress = progressReporter();
  try {
    if (values.resume && !(await rt.store.unfinishedRun())) {
      process.stdout.write(
        `nothing to resume: profile ${rt.profile.name} has no unfinished run (run backfill without --resume to start one)\n`,
      );
      return EXIT.ok;
    }
    rt.startWorkers();
    const req = { onProgress: progress.update, signal: abort.signal };
    let outcome: SyncOutcome;
    try {
      outcome = await withProfileLock(
        rt.store,
        'backfill',
        (lockSignal) => {
          const locked = { ...req, signal: AbortSignal.any([abort.signal, lockSignal, rt.redisLost]) };
          return values.resume
            ? resumeSync(rt, locked)
            : runSync(rt, {
                ...locked,
                mode: values.incremental ? 'incremental' : 'full',
                trigger: 'backfill',
                ...allowances,
              });
        },
        values.resume ? { waitMs: PROFILE_LOCK_MS + 2000 } : {},
      );
    } catch (err) {
      if (rt.redisLost.aborted) throw rt.redisLost.reason;
      if (abort.signal.aborted) {
        progress.finish();
        process.stderr.write('interrupted: the run is kept in Redis; continue it with --resume\n');
        return EXIT.interrupted;
      }
      throw err;
    }
    progress.finish();
    if (outcome.status === 'blocked' && outcome.plan) process.stdout.write(renderPlanText(outcome.plan) + '\n\n');
    process.stdout.write(renderRunSummary(outcome.run) + '\n');
    return outcome.exitCode;
  } catch (err) {
    throw rt.explain(err);
  } finally {
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
    await rt.close();
  }
}
