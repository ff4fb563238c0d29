import { hostname, userInfo } from 'node:os';
import { decideRun, NotPendingError, type DecisionAction } from '../app/approvals.js';
import { withProfileLock } from '../app/profile-lock.js';
import { openRuntime, REDIS_OUTAGE_MS } from '../app/runtime.js';
import { parse, UsageError } from './args.js';
import { EXIT } from './exit-codes.js';
import { progressReporter } from './progress.js';
import { renderRunSummary } from './summary.js';

const HELP = {
  approve: `rostersync approve RUN_ID --config FILE [--profile NAME] [--by NAME]

Approves a run blocked by a safety rule (see "rostersync status" or the status page) and applies
exactly its stored plan, after planning again to check that the directory and the target still
give the same changes. If they do not, approval is refused (exit 2) and a fresh plan is made: a
new blocked run waiting for a decision, or, when no safety rule blocks it, a sync that applies.
The decision is recorded in the run with who (--by, default cli:<user>@<host>) and when.
One decision per run: if another (the status page, another shell) took it first, this one is
refused and names it.
Exit: 0 applied, 1 some ops failed, 2 refused (stale plan), 64 the run does not wait for a decision
or another decision took it first, 69 source, target or Redis unavailable, 75 the profile is busy,
78 bad config.`,
  reject: `rostersync reject RUN_ID --config FILE [--profile NAME] [--by NAME]

Rejects a run blocked by a safety rule: nothing is applied, and the decision is recorded in the
run with who (--by, default cli:<user>@<host>) and when. The next tick plans afresh.
Exit: 0 rejected, 64 the run does not wait for a decision or another decision took it first,
69 Redis unavailable, 75 the profile is busy, 78 bad config.`,
};

/** `rostersync approve` and `rostersync reject`: one decision under the profile lock, like the status page's buttons. */
export async function decideCommand(action: DecisionAction, argv: string[]): Promise<number> {
  const { values, positionals } = parse(
    argv,
    { config: { type: 'string', short: 'c' }, profile: { type: 'string' }, by: { type: 'string' } },
    true,
  );
  if (values.help) {
    process.stdout.write(HELP[action] + '\n');
    return EXIT.ok;
  }
  if (!values.config || positionals.length !== 1) throw new UsageError('usage: ' + HELP[action]);
  const runId = positionals[0]!;
  const by = values.by ?? `cli:${userInfo().username}@${hostname()}`;
  const rt = await openRuntime(values.config, {
    redisOutageMs: REDIS_OUTAGE_MS,
    ...(values.profile ? { profile: values.profile } : {}),
  });
  const progress = progressReporter();
  try {
    if (action === 'approve') rt.startWorkers();
    const r = await withProfileLock(rt.store, `${action}-${runId}`, (signal) =>
      decideRun(
        rt,
        runId,
        { action, by },
        { onProgress: progress.update, signal: AbortSignal.any([signal, rt.redisLost]) },
      ),
    );
    progress.finish();
    if (r.result === 'rejected') {
      process.stdout.write(`Run ${runId} rejected by ${by}: nothing applied.\n`);
      return EXIT.ok;
    }
    if (r.result === 'stale') {
      process.stdout.write(
        `Approval refused: ${r.reason}.\nFresh plan: run ${r.fresh.runId} (${r.fresh.status}).\n${renderRunSummary(r.fresh.run)}\n`,
      );
      return EXIT.blocked;
    }
    process.stdout.write(`Run ${runId} approved by ${by}.\n${renderRunSummary(r.outcome.run)}\n`);
    return r.outcome.exitCode;
  } catch (err) {
    if (err instanceof NotPendingError) throw new UsageError(err.message);
    throw rt.explain(err);
  } finally {
    await rt.close();
  }
}

export const approveCommand = (argv: string[]) => decideCommand('approve', argv);
