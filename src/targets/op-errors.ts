import { RostersyncError } from '../errors/index.js';

/** An op the target has no call for (a plan made for another target's capabilities). */
export class UnsupportedOpError extends RostersyncError {
  constructor(message: string) {
    super('UNSUPPORTED_OP', message);
  }
}

/** An op whose team or user could not be resolved to an id (its creating op did not run). */
export class UnresolvedRefError extends RostersyncError {
  constructor(message: string) {
    super('UNRESOLVED_REF', message);
  }
}
