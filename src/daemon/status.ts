import type { ProfileConfig } from '../config/schema.js';
import type { Runtime } from '../app/runtime.js';
import type { RefusedSource } from './refused-sources.js';
import type { ProfileSchedule } from './scheduler.js';
import type { ProfileStatus } from './status-page.js';
import type { LocalProgress } from './sync-worker.js';

const RECENT_RUNS = 15;

/**
 * One profile for the status page. The current run comes from Redis, so any replica shows a run
 * another replica is applying; this process's own progress covers the read and plan before it.
 */
export async function profileStatus(
  p: ProfileConfig,
  rt: Runtime,
  schedule: ProfileSchedule | undefined,
  local: LocalProgress | undefined,
  refused?: RefusedSource,
): Promise<ProfileStatus> {
  const [runs, locked] = await Promise.all([rt.store.listRuns(RECENT_RUNS), rt.redis.exists(rt.store.keys.lock)]);
  const running = runs.find((r) => r.status === 'running');
  const current: ProfileStatus['current'] = running
    ? {
        state: locked === 1 ? 'applying' : 'interrupted',
        runId: running.runId,
        done: running.done,
        total: running.totalOps,
        startedAt: running.startedAt,
      }
    : local
      ? {
          state: local.phase,
          done: local.done,
          total: local.total,
          startedAt: local.startedAt,
          ...(local.runId ? { runId: local.runId } : {}),
        }
      : locked === 1
        ? { state: 'reading', done: 0, total: 0, startedAt: '' }
        : undefined;
  return {
    name: p.name,
    source: p.source.kind,
    timezone: p.schedule?.timezone ?? 'UTC',
    scheduledHere: schedule?.active ?? false,
    schedules: (schedule?.tasks ?? []).map((t) => ({
      mode: t.mode,
      expression: t.expression,
      next: t.task.getNextRuns(1)[0]?.toISOString() ?? null,
    })),
    ...(current ? { current } : {}),
    ...(refused ? { refused } : {}),
    runs,
  };
}
