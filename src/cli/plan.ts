import { writeFile } from 'node:fs/promises';
import { openApp } from '../app/open-app.js';
import { emptyPlanState, planSync } from '../app/plan-sync.js';
import { renderPlanText } from '../plan/render.js';
import { intOption, parse, UsageError } from './args.js';
import { EXIT } from './exit-codes.js';

const HELP = `rostersync plan --config FILE [--profile NAME] [--json | --out plan.json] [--limit N] [--allow-deletes N]

Reads the directory and the target and prints what a sync would change. Writes nothing to the target.
  --json            print the whole plan as JSON
  --out FILE        also write the plan as JSON (for review, then "rostersync apply FILE")
  --limit N         ops and warnings listed in the text view (default 20)
  --allow-deletes N accept up to N deletions in the safety check
Exit: 0 ready or nothing to do, 2 blocked by a safety rule, 69 source/target unreachable, 78 bad config.`;

export async function planCommand(argv: string[]): Promise<number> {
  const { values } = parse(argv, {
    config: { type: 'string', short: 'c' },
    profile: { type: 'string' },
    json: { type: 'boolean' },
    out: { type: 'string' },
    limit: { type: 'string' },
    'allow-deletes': { type: 'string' },
  });
  if (values.help) return help();
  if (!values.config) throw new UsageError('--config FILE is required\n\n' + HELP);
  const app = await openApp(values.config, { ...(values.profile ? { profile: values.profile } : {}) });
  const allowDeletes = intOption(values['allow-deletes'], '--allow-deletes');
  const result = await planSync(app.config, app.profile, app.source, app.target, app.log, {
    mode: 'full',
    state: emptyPlanState(),
    ...(allowDeletes !== undefined ? { allowDeletes } : {}),
  });
  if (values.out) await writeFile(values.out, JSON.stringify(result.plan, null, 2) + '\n');
  if (values.json) process.stdout.write(JSON.stringify(result.plan, null, 2) + '\n');
  else process.stdout.write(renderPlanText(result.plan, { limit: intOption(values.limit, '--limit') ?? 20 }) + '\n');
  return result.plan.blocked ? EXIT.blocked : EXIT.ok;
}

function help(): number {
  process.stdout.write(HELP + '\n');
  return EXIT.ok;
}
