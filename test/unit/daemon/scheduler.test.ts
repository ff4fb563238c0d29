import { afterEach, describe, expect, it } from 'vitest';
import {
  checkSchedule,
  resumeJobId,
  startScheduler,
  stopScheduler,
  tickJobId,
  type ProfileSchedule,
} from '../../../src/daemon/scheduler.js';
import { wallClock } from '../../../src/daemon/status-page.js';
import { ConfigError } from '../../../src/errors/index.js';
import { silentLogger } from '../../../src/log/logger.js';
import type { ProfileConfig } from '../../../src/config/schema.js';

const profile = (schedule?: ProfileConfig['schedule']): ProfileConfig =>
  ({
    name: 'hr',
    source: { kind: 'csv', path: 'people.csv' },
    ...(schedule ? { schedule } : {}),
  }) as unknown as ProfileConfig;

let described: ProfileSchedule[] = [];
afterEach(() => stopScheduler(described.splice(0)));

describe('tick job ids', () => {
  it('are the same for every replica that fires the same scheduled tick, and BullMQ-safe', () => {
    const tick = new Date('2026-11-22T03:00:00.000Z');
    const id = tickJobId('hr', tick);
    expect(id).toBe('hr.2026-11-22T03-00-00-000Z');
    expect(tickJobId('hr', new Date(tick.getTime()))).toBe(id);
    expect(id).not.toContain(':');
    expect(id).not.toMatch(/^\d+$/);
    expect(tickJobId('hr', new Date(tick.getTime() + 1000))).not.toBe(id);
    expect(tickJobId('sales', tick)).not.toBe(id);
  });

  it('for a resume change once the run has progressed', () => {
    expect(resumeJobId('hr', 'hr-1', 10)).not.toBe(resumeJobId('hr', 'hr-1', 11));
    expect(resumeJobId('hr', 'hr-1', 10)).not.toContain(':');
  });
});

describe('schedules', () => {
  it('refuse a bad cron expression or time zone, naming the key', () => {
    expect(() => checkSchedule(profile({ full: '61 * * * *', timezone: 'UTC' }))).toThrow(ConfigError);
    expect(() => checkSchedule(profile({ full: '61 * * * *', timezone: 'UTC' }))).toThrow(
      /profiles\.hr\.schedule\.full/,
    );
    expect(() => checkSchedule(profile({ incremental: '*/15 * * * *', timezone: 'Mars/Olympus' }))).toThrow(
      /profiles\.hr\.schedule\.timezone/,
    );
    expect(() =>
      checkSchedule(profile({ incremental: '*/15 * * * *', full: '0 3 * * *', timezone: 'Europe/Berlin' })),
    ).not.toThrow();
    expect(() => checkSchedule(profile())).not.toThrow();
  });

  it('compute the next tick in the profile time zone', () => {
    described = startScheduler(
      [profile({ full: '0 3 * * *', incremental: '*/15 * * * *', timezone: 'Europe/Berlin' })],
      undefined,
      silentLogger,
      { start: false },
    );
    expect(described).toHaveLength(1);
    expect(described[0]!.active).toBe(false);
    const full = described[0]!.tasks.find((t) => t.mode === 'full')!.task.getNextRuns(2);
    for (const at of full) expect(wallClock(at, 'Europe/Berlin')).toMatch(/^\d{4}-\d\d-\d\d 03:00$/);
    expect(full[1]!.getTime() - full[0]!.getTime()).toBeGreaterThanOrEqual(23 * 3600_000);
    const inc = described[0]!.tasks.find((t) => t.mode === 'incremental')!.task.getNextRuns(1)[0]!;
    expect(inc.getUTCMinutes() % 15).toBe(0);
  });

  it('skip a profile without a schedule', () => {
    described = startScheduler([profile()], undefined, silentLogger, { start: false });
    expect(described).toEqual([]);
  });
});
