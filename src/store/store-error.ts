import { RostersyncError } from '../errors/index.js';

/** The store was asked for something it does not hold (a run trimmed or never started). */
export class StoreError extends RostersyncError {
  constructor(code: 'RUN_NOT_FOUND', message: string) {
    super(code, message);
  }
}
