import type { Runtime } from '../app/runtime.js';
import { toAuditEvent } from '../audit/audit-event.js';
import { auditContextOf } from '../audit/emit-run-audit.js';
import { matchesAudit, type AuditFilter } from '../store/audit-log.js';

/** Every change of a run that matches `filter`, as audit events (docs/audit.md), one JSON line each. */
export async function writeAuditLines(rt: Runtime, runId: string, filter: AuditFilter): Promise<void> {
  const ctx = auditContextOf(rt.config, rt.profile, runId);
  const entries = await rt.store.audit.range(runId, 0, await rt.store.audit.length(runId));
  const lines = entries.flatMap((e, seq) =>
    matchesAudit(e, filter) ? [JSON.stringify(toAuditEvent(e, ctx, seq))] : [],
  );
  process.stdout.write(lines.map((l) => `${l}\n`).join(''));
}
