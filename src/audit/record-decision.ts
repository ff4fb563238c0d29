import type { Runtime } from '../app/runtime.js';
import type { DecisionEntry } from './audit-event.js';
import { emitRunAudit } from './emit-run-audit.js';

export type AuditDeps = Pick<Runtime, 'store' | 'config' | 'profile' | 'log'> & { audit?: Runtime['audit'] };

/**
 * A decision on a blocked run goes into that run's audit (who, when, what) and out on the audit
 * stream at once. Never throws: the decision itself is already recorded on the run.
 */
export async function recordDecision(rt: AuditDeps, runId: string, d: Omit<DecisionEntry, 'at'>): Promise<void> {
  try {
    await rt.store.audit.appendDecision(runId, { at: new Date().toISOString(), ...d });
    if (rt.audit) await emitRunAudit({ ...rt, audit: rt.audit }, runId);
  } catch (err) {
    rt.log.error({ runId, err: (err as Error).message }, 'decision not written to the audit');
  }
}
