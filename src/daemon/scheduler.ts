import { setTimeout as sleep } from 'node:timers/promises';
import { createTask, validate, type ScheduledTask } from 'node-cron';
import type { Queue } from 'bullmq';
import type { ProfileConfig } from '../config/schema.js';
import { ConfigError } from '../errors/index.js';
import type { Logger } from '../log/logger.js';

export const SYNC_QUEUE = 'syncs';

export type SyncMode = 'full' | 'incremental';

export interface SyncJobData {
  profile: string;
  mode: SyncMode;
  /** The tick's scheduled time (ISO), or 'resume' / 'manual' / 'decision'. */
  tick: string;
  /** With tick 'decision': Approve or Reject on the status page, carried out by a sync worker under the profile lock. */
  decision?: { runId: string; action: 'approve' | 'reject'; by: string; claim?: string };
}

/**
 * One decision job per claimed decision: only the click that claimed the run (src/app/approvals.ts)
 * queues one, and a claim given back (not carried out) leaves room for the next click's job.
 */
export const decisionJobId = (profile: string, runId: string, claim: string) => `${profile}.decision.${runId}.${claim}`;

/**
 * The id of a tick's sync: every replica computes the same one from the scheduled time (not the
 * clock at firing), so only the first add of a tick creates a job. No ':' and never all digits (BullMQ 6).
 */
export function tickJobId(profile: string, scheduled: Date): string {
  return `${profile}.${scheduled.toISOString().replace(/[:.]/g, '-')}`;
}

/** The id of the job that continues an unfinished run: new once the run has progressed, shared by replicas that start together. */
export function resumeJobId(profile: string, runId: string, done: number): string {
  return `${profile}.resume.${runId}.${done}`;
}

export interface ProfileSchedule {
  profile: string;
  timezone: string;
  /** False when this process only describes the schedule (role worker). */
  active: boolean;
  tasks: { mode: SyncMode; expression: string; task: ScheduledTask }[];
}

/** Checks a profile's schedule; throws a ConfigError naming the key. */
export function checkSchedule(p: ProfileConfig): void {
  const s = p.schedule;
  if (!s) return;
  for (const mode of ['full', 'incremental'] as const) {
    const expression = s[mode];
    if (expression !== undefined && !validate(expression))
      throw new ConfigError(
        `profiles.${p.name}.schedule.${mode}: not a valid cron expression: "${expression}"`,
        `schedule.${mode}`,
      );
  }
  try {
    new Intl.DateTimeFormat('en', { timeZone: s.timezone });
  } catch {
    throw new ConfigError(
      `profiles.${p.name}.schedule.timezone: not an IANA time zone: "${s.timezone}"`,
      'schedule.timezone',
    );
  }
}

/** A tick fired later than this (a busy event loop, a paused container) still enqueues its sync. */
const MISSED_TOLERANCE_MS = 60_000;

/**
 * node-cron tasks for each profile; a tick enqueues one sync job. The full schedule wins a shared tick.
 * With `start: false` the tasks only describe the schedule (next ticks for the status page).
 */
export function startScheduler(
  profiles: ProfileConfig[],
  queue: Queue<SyncJobData> | undefined,
  log: Logger,
  opts: { start?: boolean; signal?: AbortSignal } = {},
): ProfileSchedule[] {
  const start = opts.start ?? true;
  profiles.forEach(checkSchedule);
  const cronLog = {
    info: (m: string) => log.debug({ cron: m }, 'node-cron'),
    debug: (m: string | Error) => log.debug({ cron: String(m) }, 'node-cron'),
    warn: (m: string) => log.warn({ cron: m }, 'node-cron'),
    error: (m: string | Error) => log.error({ cron: String(m) }, 'node-cron'),
  };
  return profiles
    .filter((p) => p.schedule && (p.schedule.full || p.schedule.incremental))
    .map((p) => {
      const s = p.schedule!;
      const tasks: ProfileSchedule['tasks'] = [];
      for (const mode of ['full', 'incremental'] as const) {
        const expression = s[mode];
        if (!expression) continue;
        const task = createTask(
          expression,
          async (ctx) => {
            const full = tasks.find((t) => t.mode === 'full');
            if (mode === 'incremental' && full?.task.match(ctx.date)) return; // the full sync of this tick covers it
            if (queue)
              await enqueueTick(
                queue,
                { profile: p.name, mode, tick: ctx.date.toISOString() },
                tickJobId(p.name, ctx.date),
                log,
                opts.signal,
              );
          },
          {
            name: `${p.name}-${mode}`,
            timezone: s.timezone,
            noOverlap: true,
            missedExecutionTolerance: MISSED_TOLERANCE_MS,
            logger: cronLog,
            suppressMissedWarning: true,
          },
        );
        task.on('execution:missed', (ctx) =>
          log.warn(
            { profile: p.name, mode, scheduled: ctx.date.toISOString() },
            'sync tick missed: the process was busy or paused past the tolerance',
          ),
        );
        tasks.push({ mode, expression, task });
      }
      if (!start) return { profile: p.name, timezone: s.timezone, active: false, tasks };
      for (const t of tasks) void t.task.start();
      log.info(
        { profile: p.name, timezone: s.timezone, schedules: tasks.map((t) => `${t.mode}: ${t.expression}`) },
        'schedules started',
      );
      return { profile: p.name, timezone: s.timezone, active: true, tasks };
    });
}

/**
 * Adds one sync job; a job with this id already there (another replica's add of the same tick,
 * kept a day after it completed) makes it a no-op. Retries a Redis outage for about half a minute.
 */
export async function enqueueTick(
  queue: Queue<SyncJobData>,
  data: SyncJobData,
  jobId: string,
  log: Logger,
  signal?: AbortSignal,
  retryDelaysMs = [1000, 2000, 4000, 8000, 16_000],
): Promise<boolean> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      const job = await queue.add('sync', data, {
        jobId,
        removeOnComplete: { age: 86_400 },
        removeOnFail: { age: 7 * 86_400 },
      });
      log.debug({ jobId, job: job.id, mode: data.mode }, 'sync tick enqueued');
      return true;
    } catch (err) {
      const wait = retryDelaysMs[attempt];
      if (wait === undefined || signal?.aborted) {
        log.error({ jobId, err: (err as Error).message }, 'sync tick not enqueued: Redis did not answer');
        return false;
      }
      log.warn({ jobId, err: (err as Error).message, retryInMs: wait }, 'sync tick enqueue failed: retrying');
      await sleep(wait, undefined, signal ? { signal } : {}).catch(() => {});
    }
  }
}

export function stopScheduler(schedules: ProfileSchedule[]): void {
  for (const s of schedules) for (const t of s.tasks) void t.task.destroy();
}
