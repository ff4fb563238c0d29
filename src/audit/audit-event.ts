import type { Change } from '../model/index.js';

/** What became of a change: the op's outcome, with `skipped` for one that could not run (a dependency failed, or no account). */
export type AuditOutcome = 'applied' | 'already-done' | 'deferred' | 'failed' | 'skipped';

/** A change as the run stores it (Redis, one JSON entry per change, in outcome order). */
export interface AuditEntry extends Change {
  /** When the outcome was recorded. */
  at: string;
  opKey: string;
  outcome: AuditOutcome;
  /** The API's answer for a failure, why a change was skipped, or what an applied op noted. */
  detail?: string;
}

/** A person's decision on a blocked run, kept with the run it concerns. */
export interface DecisionEntry {
  at: string;
  action: 'run.approve' | 'run.reject' | 'run.expire';
  /** The token's name, `cli:<user>@<host>`, or `rostersync` for an expiry. */
  by: string;
  reason: string;
}

export type StoredAuditEntry = AuditEntry | DecisionEntry;

export const AUDIT_SCHEMA = 'rostersync.audit/1';

/**
 * One event on the audit stream (docs/audit.md): a stored entry with where it happened. Stable:
 * fields are only ever added. `id` is unique and the same whenever the entry is sent again.
 */
export type AuditEvent = {
  schema: typeof AUDIT_SCHEMA;
  id: string;
  type: 'change' | 'decision';
  runId: string;
  profile: string;
  target: { name: string; kind: string };
} & StoredAuditEntry;

export interface AuditContext {
  runId: string;
  profile: string;
  target: { name: string; kind: string };
}

export const isDecision = (e: StoredAuditEntry): e is DecisionEntry =>
  e.action === 'run.approve' || e.action === 'run.reject' || e.action === 'run.expire';

/** `seq`: the entry's place in the run's audit (0-based), which makes the event's id. */
export function toAuditEvent(entry: StoredAuditEntry, ctx: AuditContext, seq: number): AuditEvent {
  return {
    schema: AUDIT_SCHEMA,
    id: `${ctx.runId}/${seq}`,
    type: isDecision(entry) ? 'decision' : 'change',
    runId: ctx.runId,
    profile: ctx.profile,
    target: ctx.target,
    ...entry,
  };
}
