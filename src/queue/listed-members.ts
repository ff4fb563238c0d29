import type { Op } from '../model/index.js';
import type { Store } from '../store/store.js';

type SetMembers = Extract<Op, { kind: 'setMembers' }>;

/** Outcomes that leave the account (or org place) a listed member needs in the target. */
const EXISTS = new Set(['applied', 'already-done']);

/**
 * A whole-container write names only members whose accounts exist when it lands: it waits for the
 * ops each new member is `after`, and leaves out a member whose account op failed, was skipped or
 * waits for a first sign-in, so one missing account never fails (or holds back) the container's
 * other changes. Returns 'wait' while one of those ops has no outcome yet.
 */
export async function settleMembers(
  store: Store,
  runId: string,
  op: SetMembers,
): Promise<'wait' | { op: SetMembers; leftOut: string[] }> {
  const keys = [...new Set(op.members.flatMap((m) => m.after ?? []))];
  if (keys.length === 0) return { op, leftOut: [] };
  const outcomes = await store.outcomes(runId, keys);
  if (outcomes.some((o) => o === undefined)) return 'wait';
  const ok = new Set(keys.filter((_, i) => EXISTS.has(outcomes[i]!)));
  const members = op.members.filter((m) => (m.after ?? []).every((k) => ok.has(k)));
  const leftOut = op.members.filter((m) => !members.includes(m)).map((m) => m.email);
  if (leftOut.length === 0) return { op, leftOut };
  return { op: { ...op, members, added: op.added - leftOut.length }, leftOut };
}
