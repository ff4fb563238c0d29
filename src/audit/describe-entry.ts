import { describeChange } from '../plan/changes.js';
import { isDecision, type StoredAuditEntry } from './audit-event.js';

const DECIDED = { 'run.approve': 'approved', 'run.reject': 'rejected', 'run.expire': 'expired' } as const;

/** An audit entry in words, with how it ended when that was not plainly "applied". */
export function describeEntry(e: StoredAuditEntry): string {
  if (isDecision(e)) return `run ${DECIDED[e.action]} by ${e.by}: ${e.reason}`;
  const ended = e.outcome === 'applied' ? '' : ` [${e.outcome}${e.detail ? `: ${e.detail}` : ''}]`;
  return `${describeChange(e)}${ended}`;
}
