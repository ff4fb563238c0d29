import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { planSync } from '../../../src/app/plan-sync.js';
import { runSync } from '../../../src/app/run-sync.js';
import type { Runtime } from '../../../src/app/runtime.js';
import type { Person, Snapshot } from '../../../src/model/index.js';
import { createHarness, teamsState, type Harness } from '../../support/conformance/chartio.js';

/**
 * Start and end dates are days in the profile's zone (schedule.timezone): an end date is the last
 * day, so the person goes on the first sync after midnight there, not at midnight UTC; a start
 * date brings the person in on the first sync of that day. The real pipeline (CSV source, planSync
 * with a fake clock, a Chartio emulator) after a first sync applied.
 */
const ZONE = 'Europe/Berlin';
const ATTRIBUTES = ['department', 'startDate', 'endDate'];
/** A Friday, the leaver's last day; Berlin is at UTC+2 (summer time). */
const LAST_DAY = '2027-07-30';
/** The Monday after: the starter's first day. */
const FIRST_DAY = '2027-08-02';
/** Berlin wall time `HH:MM` on `day`, as epoch ms (UTC+2 in summer). */
const berlin = (day: string, time: string) => Date.parse(`${day}T${time}:00+02:00`);

const person = (key: string, department: string, dates: { startDate?: string; endDate?: string } = {}): Person => ({
  sourceId: key,
  email: `${key}@dates.test`,
  displayName: `Person ${key}`,
  enabled: true,
  groupIds: [],
  attributes: {
    department: [department],
    ...(dates.startDate ? { startDate: [dates.startDate] } : {}),
    ...(dates.endDate ? { endDate: [dates.endDate] } : {}),
  },
});

const leaver = person('leaver', 'Sales', { startDate: '2025-01-06' });
const stayer = person('stayer', 'Sales', { startDate: '2025-01-06', endDate: '2099-12-31' });
// With `date: reached` a start date is needed (a person without one is not started: schema.ts's words).
const other = person('other', 'Finance', { startDate: '2025-01-06' });
const starter = person('starter', 'Sales', { startDate: FIRST_DAY });

const directory = (people: Person[]): Snapshot => ({ people, groups: [], issues: [] });

let h: Harness;
let rt: Runtime;
beforeAll(async () => {
  h = await createHarness(inject('redisUrl'), {
    mapping: {
      rules: [{ attribute: 'department', team: '${value}' }],
      people: {
        where: [
          { attribute: 'endDate', date: 'notPassed' },
          { attribute: 'startDate', date: 'reached' },
        ],
      },
    },
    source: { kind: 'csv', path: 'dir/people.csv', attributes: ATTRIBUTES, maxInvalidRows: 0 },
    profile: { schedule: { timezone: ZONE } },
    policy: { deprovision: 'delete-user' },
  });
  // Day one (the real clock): the leaver has no end date yet, the starter is not in the file yet.
  h.writeDirectory(directory([leaver, stayer, other]), ATTRIBUTES);
  rt = await h.runtime();
  rt.startWorkers();
  expect((await runSync(rt, { mode: 'full', trigger: 'backfill' })).status).toBe('succeeded');
  expect(teamsState(h.emulator)['Sales']).toEqual([leaver.email, stayer.email].sort());
  // HR enters the leaver's last day, and the starter with next Monday's date.
  h.writeDirectory(
    directory([{ ...leaver, attributes: { ...leaver.attributes, endDate: [LAST_DAY] } }, stayer, other, starter]),
    ATTRIBUTES,
  );
});
afterAll(async () => {
  await h?.close();
});

/** The plan at `now` against what day one left (links, the emulator): [op kind, email]. */
async function planAt(now: number) {
  const sp = await planSync(rt.config, rt.profile, rt.source, rt.target, rt.log, {
    mode: 'full',
    state: await rt.store.planState(),
    now,
  });
  return {
    ops: sp.plan.phases.flat().map((op) => [op.kind, 'user' in op ? op.user.email : undefined]),
    out: sp.desired.scope?.out ?? {},
  };
}

describe(`dates in the profile's zone (${ZONE})`, () => {
  it('the profile is in Berlin', () => {
    expect(rt.profile.schedule?.timezone).toBe(ZONE);
  });

  it('at 23:59 on the last day the leaver is still in scope, and the starter not yet', async () => {
    const { ops, out } = await planAt(berlin(LAST_DAY, '23:59'));
    expect(ops).toEqual([]);
    expect(out).toEqual({ notStarted: 1 });
  });

  it('at 00:01 the next day (still the last day in UTC) the leaver is deprovisioned per policy, and nothing else', async () => {
    const now = berlin('2027-07-31', '00:01');
    expect(new Date(now).toISOString().slice(0, 10)).toBe(LAST_DAY);
    const { ops, out } = await planAt(now);
    expect(ops).toEqual([['deleteUser', leaver.email]]);
    expect(out).toEqual({ ended: 1, notStarted: 1 });
  });

  it('at 23:59 on the Sunday before the start date the starter is not synced', async () => {
    const { ops, out } = await planAt(berlin('2027-08-01', '23:59'));
    expect(ops).toEqual([['deleteUser', leaver.email]]);
    expect(out).toEqual({ ended: 1, notStarted: 1 });
  });

  it('at 00:01 on the start date (Sunday in UTC) the starter is synced into their team', async () => {
    const now = berlin(FIRST_DAY, '00:01');
    expect(new Date(now).toISOString().slice(0, 10)).toBe('2027-08-01');
    const { ops, out } = await planAt(now);
    expect(ops).toEqual([
      ['createUser', starter.email],
      ['deleteUser', leaver.email],
    ]);
    expect(out).toEqual({ ended: 1 });
  });
});
