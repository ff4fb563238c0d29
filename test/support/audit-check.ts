import { expect } from 'vitest';
import type { StoredAuditEntry } from '../../src/audit/audit-event.js';
import type { Plan } from '../../src/model/index.js';
import { changesOf } from '../../src/plan/changes.js';
import type { Store } from '../../src/store/store.js';

/** A change without when and how it ended: what the plan said it would be. */
const shape = (e: Record<string, unknown>) => {
  const { at: _at, outcome: _o, detail: _d, opKey: _k, ...rest } = e;
  return JSON.stringify(rest, Object.keys(rest).sort());
};

/**
 * The run's audit holds each change of its plan exactly once (one entry per person and object, a
 * retried or resumed op never twice), each with an outcome; returns the entries.
 */
export async function expectAuditOfPlan(store: Store, runId: string, plan: Plan): Promise<StoredAuditEntry[]> {
  const { entries, total } = await store.audit.page(runId, {}, 0, 1_000_000);
  const changes = plan.phases.flat().flatMap((op) => changesOf(op).map((c) => shape({ ...c, opKey: op.key })));
  const audit = entries
    .map((x) => x.entry)
    .filter((e) => !e.action.startsWith('run.'))
    .map((e) => shape(e as unknown as Record<string, unknown>));
  expect(audit.sort()).toEqual(changes.sort());
  expect(total).toBe(entries.length);
  return entries.map((x) => x.entry);
}
