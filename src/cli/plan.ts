import { writeFile } from 'node:fs/promises';
import { openApp } from '../app/open-app.js';
import { emptyPlanState, planSync, type PlanState } from '../app/plan-sync.js';
import { openRuntime, REDIS_OUTAGE_MS } from '../app/runtime.js';
import type { Person, Plan } from '../model/index.js';
import { renderPlanText } from '../plan/render.js';
import { ALLOW_OPTIONS, allowancesOf, intOption, parse, UsageError } from './args.js';
import { EXIT } from './exit-codes.js';
import { chooseLogFormat, LOG_FORMAT_HELP, LOG_FORMAT_OPTION } from './log-format.js';

const HELP = `rostersync plan --config FILE [--profile NAME] [--json | --out plan.json] [--limit N] [--allow-deletes N] [--allow-role-losses N] [--allow-removals N] [--allow-grant-removals N] [--log-format json|text]

Reads the directory and the target and prints what a sync would change. Writes nothing to the target.
  --json            print the whole plan as JSON
  --out FILE        also write the plan as JSON (for review, then "rostersync apply FILE")
  --limit N         ops and warnings listed in the text view (default 20)
  --allow-deletes N accept up to N deletions in the safety check
  --allow-role-losses N accept up to N people losing the highest role
  --allow-removals N accept up to N membership removals, however much a team shrinks
  --allow-grant-removals N accept up to N removed grants of managed teams (policy.maxGrantRemovals)
${LOG_FORMAT_HELP}
Exit: 0 ready or nothing to do, 2 blocked by a safety rule, 69 source/target unreachable, 78 bad config.`;

export async function planCommand(argv: string[]): Promise<number> {
  const { values } = parse(argv, {
    config: { type: 'string', short: 'c' },
    profile: { type: 'string' },
    json: { type: 'boolean' },
    out: { type: 'string' },
    limit: { type: 'string' },
    ...ALLOW_OPTIONS,
    ...LOG_FORMAT_OPTION,
  });
  if (values.help) return help();
  if (!values.config) throw new UsageError('--config FILE is required\n\n' + HELP);
  const logFormat = chooseLogFormat(values['log-format'], process.stderr.isTTY);
  const wiring = { ...(values.profile ? { profile: values.profile } : {}), logFormat };
  const allowances = allowancesOf(values);
  // With Redis, plan with what earlier runs learned (links, tombstones, last size), exactly as a
  // sync would; without it, plan from scratch and say so.
  const rt = await openRuntime(values.config, { ...wiring, redisOutageMs: REDIS_OUTAGE_MS }).catch((err: Error) => err);
  const app = rt instanceof Error ? await openApp(values.config, wiring) : rt;
  if (rt instanceof Error)
    app.log.warn(
      { reason: rt.message },
      'no store: planning without identity links, tombstones or the last directory size',
    );
  try {
    const state: PlanState = rt instanceof Error ? emptyPlanState() : await rt.store.planState();
    const result = await planSync(app.config, app.profile, app.source, app.target, app.log, {
      mode: 'full',
      state,
      ...allowances,
    });
    return print(result.plan, values, joinedFields(result.read.snapshot.people));
  } catch (err) {
    throw rt instanceof Error ? err : rt.explain(err);
  } finally {
    if (!(rt instanceof Error)) await rt.close();
  }
}

/**
 * A joined profile (several sources): for each person, which source gave each field (enabled,
 * email, names, groups, each attribute), as `explain` says it for one. Undefined for one source.
 */
function joinedFields(people: readonly Person[]): Record<string, Record<string, string>> | undefined {
  const joined = people.filter((p) => p.from !== undefined);
  return joined.length === 0 ? undefined : Object.fromEntries(joined.map((p) => [p.email, p.from!]));
}

async function print(
  plan: Plan,
  values: { out?: string | undefined; json?: boolean | undefined; limit?: string | undefined },
  fieldSources?: Record<string, Record<string, string>>,
): Promise<number> {
  if (values.out) await writeFile(values.out, JSON.stringify(plan, null, 2) + '\n');
  // The reviewed plan file stays a plan; the printed JSON also says where each joined person's fields came from.
  if (values.json)
    process.stdout.write(JSON.stringify(fieldSources ? { ...plan, fieldSources } : plan, null, 2) + '\n');
  else process.stdout.write(renderPlanText(plan, { limit: intOption(values.limit, '--limit') ?? 20 }) + '\n');
  return plan.blocked ? EXIT.blocked : EXIT.ok;
}

function help(): number {
  process.stdout.write(HELP + '\n');
  return EXIT.ok;
}
