import { targetOf, type Config, type ProfileConfig } from '../config/schema.js';
import type { Runtime } from '../app/runtime.js';
import { toAuditEvent, type AuditContext } from './audit-event.js';

/** Where a run's audit events happened: the run, its profile, and the profile's target by name and kind. */
export function auditContextOf(config: Config, profile: ProfileConfig, runId: string): AuditContext {
  const target = targetOf(config, profile);
  return { runId, profile: profile.name, target: { name: target.name, kind: target.config.kind } };
}

/**
 * Sends what a run's audit holds and the stream has not had: called when a run ends and after a
 * decision. Each range is claimed atomically, so replicas and repeated calls never send an entry
 * twice. Never throws: the audit stays in the run's record when a sink fails.
 */
export async function emitRunAudit(
  rt: Pick<Runtime, 'store' | 'config' | 'profile' | 'audit' | 'log'>,
  runId: string,
): Promise<number> {
  try {
    const { from, entries } = await rt.store.audit.claimUnsent(runId);
    const ctx = auditContextOf(rt.config, rt.profile, runId);
    await rt.audit.emit(entries.map((e, i) => toAuditEvent(e, ctx, from + i)));
    return entries.length;
  } catch (err) {
    rt.log.error({ runId, err: (err as Error).message }, 'audit events not sent: they stay in the run record');
    return 0;
  }
}
