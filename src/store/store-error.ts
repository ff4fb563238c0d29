import { RostersyncError } from '../errors/index.js';

/** The store was asked for something it does not hold (a run trimmed or never started, a plan cut short). */
export class StoreError extends RostersyncError {
  constructor(code: 'RUN_NOT_FOUND' | 'PLAN_INCOMPLETE', message: string) {
    super(code, message);
  }
}
