import { openRuntime, REDIS_OUTAGE_MS } from '../app/runtime.js';
import { silentLogger } from '../log/logger.js';
import { intOption, parse, UsageError } from './args.js';
import { EXIT } from './exit-codes.js';
import { renderRunLine, renderRunSummary } from './summary.js';
import { renderChangesText } from './changes-text.js';
import { writeAuditLines } from './audit-lines.js';

const HELP = `rostersync status --config FILE [--profile NAME] [--limit N] [--json]
rostersync status --config FILE --run RUN_ID [--person EMAIL] [--kind ACTION] [--page N] [--per-page N] [--json | --jsonl]

Shows the recent runs of a profile (newest first), or one run in detail with its changes in words
(one per person and object, with the reason), paged. --person and --kind (an action such as
role.change, or a family: membership, user, team, role, run) filter the changes; --json gives the
run and the page of changes, --jsonl every matching change as audit events, one per line.
Exit: 0 ok, 64 unknown --run, 69 Redis unavailable, 78 bad config.`;

const PER_PAGE = 50;

export async function statusCommand(argv: string[]): Promise<number> {
  const { values } = parse(argv, {
    config: { type: 'string', short: 'c' },
    profile: { type: 'string' },
    limit: { type: 'string' },
    run: { type: 'string' },
    person: { type: 'string' },
    kind: { type: 'string' },
    page: { type: 'string' },
    'per-page': { type: 'string' },
    json: { type: 'boolean' },
    jsonl: { type: 'boolean' },
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
      const filter = {
        ...(values.person ? { person: values.person } : {}),
        ...(values.kind ? { action: values.kind } : {}),
      };
      if (values.jsonl) {
        await writeAuditLines(rt, run.runId, filter);
        return EXIT.ok;
      }
      const perPage = intOption(values['per-page'], '--per-page') ?? PER_PAGE;
      const pageNo = Math.max(1, intOption(values.page, '--page') ?? 1);
      const changes = await rt.store.audit.page(run.runId, filter, (pageNo - 1) * perPage, perPage);
      process.stdout.write(
        (values.json
          ? JSON.stringify({ ...run, changes: { ...changes, page: pageNo, perPage } }, null, 2)
          : `${renderRunSummary(run)}\n${renderChangesText(changes, filter, pageNo, perPage, run.runId)}`) + '\n',
      );
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
