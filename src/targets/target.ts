import type { Actual, Op, TargetCapabilities } from '../model/index.js';

/** What applying one op produced: new ids to link, or an idempotent no-op. */
export interface OpOutcome {
  status: 'applied' | 'already-done';
  /** Id of a created/found user or team, for identity links. */
  createdId?: string;
  detail?: string;
}

export interface TargetRead {
  actual: Actual;
  /** GETs spent. */
  requests: number;
}

/** Resolves TeamRef/UserRef ids that were unknown at plan time (created by earlier phases). */
export interface IdResolver {
  teamId(name: string, key?: string): Promise<string | undefined>;
  userId(sourceId: string | undefined, email: string): Promise<string | undefined>;
}

/**
 * A target tool. Reading and applying are separate so `plan` and `backfill` share everything up
 * to the last step. Implementations map their HTTP errors to TargetHttpError / TargetNetworkError
 * and turn the documented idempotent answers (409 exists, 404 gone) into `already-done`.
 */
export interface Target {
  readonly kind: string;
  readonly capabilities: TargetCapabilities;
  /** Host the rate budget is keyed on. */
  readonly budgetKey: string;
  read(): Promise<TargetRead>;
  apply(op: Op, ids: IdResolver): Promise<OpOutcome>;
  check?(): Promise<void>;
}
