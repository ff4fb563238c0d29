import { createTask, validate, type ScheduledTask } from 'node-cron';
import type { Queue } from 'bullmq';
import type { ProfileConfig } from '../config/schema.js';
import { ConfigError } from '../errors/index.js';
import type { Logger } from '../log/logger.js';

export const SYNC_QUEUE = 'syncs';

export interface SyncJobData {
  profile: string;
  mode: 'full' | 'incremental';
  /** The tick's scheduled time (ISO), or 'resume'/'manual'. */
  tick: string;
}

/**
 * The id of a tick's sync: every replica computes the same one from the scheduled time (not the
 * clock at firing), so only the first add of a tick creates a job. No ':' (BullMQ 6).
 */
export function tickJobId(profile: string, scheduled: Date): string {
  return `${profile}.${scheduled.toISOString().replace(/[:.]/g, '-')}`;
}

export interface ProfileSchedule {
  profile: string;
  timezone: string;
  tasks: { mode: 'full' | 'incremental'; expression: string; task: ScheduledTask }[];
}

/** node-cron tasks for each profile; a tick enqueues one sync job. The full schedule wins a shared tick. */
export function startScheduler(profiles: ProfileConfig[], queue: Queue<SyncJobData>, log: Logger): ProfileSchedule[] {
  return profiles.filter((p) => p.schedule && (p.schedule.full || p.schedule.incremental)).map((p) => {
    const s = p.schedule!;
    const tasks: ProfileSchedule['tasks'] = [];
    for (const mode of ['full', 'incremental'] as const) {
      const expression = s[mode];
      if (!expression) continue;
      if (!validate(expression)) throw new ConfigError(`profiles.${p.name}.schedule.${mode}: not a valid cron expression: "${expression}"`, `schedule.${mode}`);
      const task = createTask(expression, async (ctx) => {
        const full = tasks.find((t) => t.mode === 'full');
        if (mode === 'incremental' && full?.task.match(ctx.date)) return; // the full sync of this tick covers it
        await enqueueTick(queue, { profile: p.name, mode, tick: ctx.date.toISOString() }, tickJobId(p.name, ctx.date), log);
      }, { name: `${p.name}-${mode}`, timezone: s.timezone, noOverlap: true });
      tasks.push({ mode, expression, task });
    }
    for (const t of tasks) void t.task.start();
    log.info({ profile: p.name, timezone: s.timezone, schedules: tasks.map((t) => `${t.mode}: ${t.expression}`) }, 'schedules started');
    return { profile: p.name, timezone: s.timezone, tasks };
  });
}

export async function enqueueTick(queue: Queue<SyncJobData>, data: SyncJobData, jobId: string, log: Logger): Promise<void> {
  // Completed tick jobs are kept for a day, so a late replica's add of the same tick stays a no-op.
  const job = await queue.add('sync', data, { jobId, removeOnComplete: { age: 86_400 }, removeOnFail: { age: 7 * 86_400 } });
  log.debug({ jobId, job: job.id, mode: data.mode }, 'sync tick enqueued');
}

export function stopScheduler(schedules: ProfileSchedule[]): void {
  for (const s of schedules) for (const t of s.tasks) void t.task.destroy();
}
