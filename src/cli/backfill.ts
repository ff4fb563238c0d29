import { openRuntime } from '../app/runtime.js';
import { resumeSync, runSync, type SyncOutcome } from '../app/run-sync.js';
import { PROFILE_LOCK_MS, withProfileLock } from '../app/profile-lock.js';
import { renderPlanText } from '../plan/render.js';
import { intOption, parse, UsageError } from './args.js';
import { EXIT } from './exit-codes.js';
import { progressReporter } from './progress.js';
import { renderRunSummary } from './summary.js';

const HELP = `rostersync backfill --config FILE [--profile NAME] [--resume] [--allow-deletes N] [--incremental]

One-shot sync: read the directory and the target, plan, check safety, enqueue, and run workers in
this process until every op has an outcome. Safe to interrupt (Ctrl-C or a crash): --resume
continues the unfinished run from its stored plan without re-reading the target or repeating calls.
  --allow-deletes N  accept up to N deletions for this run (over the policy's guard)
Exit: 0 ok, 1 some ops failed, 2 blocked by safety, 69 unreachable, 78 bad config, 130 interrupted.`;

export async function backfillCommand(argv: string[]): Promise<number> {
  const { values } = parse(argv, {
    config: { type: 'string', short: 'c' }, profile: { type: 'string' }, resume: { type: 'boolean' },
    'allow-deletes': { type: 'string' }, incremental: { type: 'boolean' },
  });
  if (values.help) {
    process.stdout.write(HELP + '\n');
    return EXIT.ok;
  }
  if (!values.config) throw new UsageError('--config FILE is required\n\n' + HELP);
  const allowDeletes = intOption(values['allow-deletes'], '--allow-deletes');
  const rt = await openRuntime(values.config, values.profile ? { profile: values.profile } : {});
  const abort = new AbortController();
  const interrupted = () => abort.abort(new Error('interrupted'));
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  const progress = progressReporter();
  try {
    rt.startWorkers();
    const req = { onProgress: progress.update, signal: abort.signal };
    let outcome: SyncOutcome;
    try {
      outcome = await withProfileLock(rt.store, 'backfill', (lockSignal) => {
        const locked = { ...req, signal: AbortSignal.any([abort.signal, lockSignal]) };
        return values.resume
          ? resumeSync(rt, locked)
          : runSync(rt, { ...locked, mode: values.incremental ? 'incremental' : 'full', trigger: 'backfill', ...(allowDeletes !== undefined ? { allowDeletes } : {}) });
      },
      values.resume ? { waitMs: PROFILE_LOCK_MS + 2000 } : {});
    } catch (err) {
      if (abort.signal.aborted) {
        progress.finish();
        process.stderr.write('interrupted: the run is kept in Redis; continue it with --resume\n');
        return 130;
      }
      throw err;
    }
    progress.finish();
    if (outcome.status === 'blocked' && outcome.plan) process.stdout.write(renderPlanText(outcome.plan) + '\n\n');
    process.stdout.write(renderRunSummary(outcome.run) + '\n');
    return outcome.exitCode;
  } finally {
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
    await rt.close();
  }
}
