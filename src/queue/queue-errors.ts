import { RostersyncError } from '../errors/index.js';

/** resumeRun was given a run that is unknown, finished, or has no stored plan. */
export class RunNotResumableError extends RostersyncError {
  constructor(message: string) {
    super('NO_RUN_TO_RESUME', message);
  }
}
