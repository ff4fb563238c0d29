import { decideCommand } from './approve.js';

/** `rostersync reject RUN_ID`: the approve command's other answer (src/cli/approve.ts). */
export const rejectCommand = (argv: string[]) => decideCommand('reject', argv);
