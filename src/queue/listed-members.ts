import type { Op, OpOf } from '../model/index.js';
import type { OpOutcomeKind } from '../store/run-record.js';

type SetMembers = OpOf<'setMembers'>;

/** Outcomes that leave the account (or org place) a listed member needs in the target. */
const EXISTS = new Set<OpOutcomeKind | undefined>(['applied', 'already-done']);

/** The ops a whole-container write waits for besides its dependencies: its new members' accounts. */
export function memberWaits(op: Op): string[] {
  return op.kind === 'setMembers' ? [...new Set(op.members.flatMap((m) => m.after ?? []))] : [];
}

/**
 * A whole-container write names only members whose accounts exist when it lands: it waits for the
 * ops each new member is `after`, and leaves out a member whose account op failed, was skipped or
 * waits for a first sign-in, so one missing account never fails (or holds back) the container's
 * other changes. `outcomeOf` gives the outcomes of `memberWaits(op)`; 'wait' while one has none yet.
 */
export function settleMembers(
  op: SetMembers,
  outcomeOf: (key: string) => OpOutcomeKind | undefined,
): 'wait' | { op: SetMembers; leftOut: string[] } {
  const keys = memberWaits(op);
  if (keys.some((k) => outcomeOf(k) === undefined)) return 'wait';
  const members = op.members.filter((m) => (m.after ?? []).every((k) => EXISTS.has(outcomeOf(k))));
  const leftOut = op.members.filter((m) => !members.includes(m)).map((m) => m.email);
  if (leftOut.length === 0) return { op, leftOut };
  return { op: { ...op, members, added: op.added - leftOut.length }, leftOut };
}
