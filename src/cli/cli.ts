import { RostersyncError } from '../errors/index.js';
import { exitCodeOf } from './exit-code-of.js';
import { EXIT } from './exit-codes.js';
import { planCommand } from './plan.js';
import { validateCommand } from './validate.js';
import { emulateCommand } from './emulate.js';
import { demoCommand } from './demo.js';
import { backfillCommand } from './backfill.js';
import { applyCommand } from './apply.js';
import { statusCommand } from './status.js';
import { runCommand } from './run.js';
import { approveCommand } from './approve.js';
import { rejectCommand } from './reject.js';
import { explainCommand } from './explain.js';

export { exitCodeOf } from './exit-code-of.js';

type Command = { run: (argv: string[]) => Promise<number>; summary: string };

const commands: Record<string, Command> = {
  run: { run: runCommand, summary: 'the daemon: scheduled syncs, workers, health, metrics and status page' },
  backfill: {
    run: backfillCommand,
    summary: 'one-shot sync: plan, check safety, apply through the queue (--resume continues)',
  },
  apply: { run: applyCommand, summary: 'apply a reviewed plan file written by "plan --out"' },
  approve: {
    run: approveCommand,
    summary: 'approve a blocked run: apply exactly its stored plan if it is still current',
  },
  reject: { run: rejectCommand, summary: 'reject a blocked run: nothing is applied' },
  status: { run: statusCommand, summary: 'show recent runs and their outcomes' },
  plan: { run: planCommand, summary: 'read the directory and the target, print the plan (no writes)' },
  explain: {
    run: explainCommand,
    summary: 'one person step by step: source, scope, mapping, target, planned ops, history (no writes)',
  },
  validate: { run: validateCommand, summary: 'check the config and connectivity to the source, the target and Redis' },
  emulate: { run: emulateCommand, summary: 'run a strict target API emulator (--target KIND)' },
  demo: { run: demoCommand, summary: 'sync the bundled sample directory into an in-process emulator' },
};

const USAGE = `rostersync <command> [options]

Commands:
${Object.entries(commands)
  .map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`)
  .join('\n')}

Run "rostersync <command> --help" for a command's options.
Exit codes: 0 ok, 1 some ops failed, 2 blocked by safety, 64 usage, 69 source/target/Redis unavailable, 70 internal error (a bug), 75 the profile is busy, 78 config error, 130 interrupted.`;

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(USAGE + '\n');
    return name ? EXIT.ok : EXIT.usage;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`rostersync: unknown command "${name}"\n\n${USAGE}\n`);
    return EXIT.usage;
  }
  try {
    return await command.run(rest);
  } catch (err) {
    return reportError(err);
  }
}

/**
 * One line on stderr for a condition the program understands; a stack only for a bug (an error
 * that is not ours), where it is what a maintainer needs.
 */
function reportError(err: unknown): number {
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`rostersync: ${message}\n`);
  const code = exitCodeOf(err);
  if (code !== undefined) return code;
  if (!(err instanceof RostersyncError) && err instanceof Error && err.stack) process.stderr.write(err.stack + '\n');
  return EXIT.software;
}
