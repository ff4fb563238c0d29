import { afterEach, describe, expect, it } from 'vitest';
import { mapDirectory } from '../../../src/mapping/index.js';
import { notPassed, parseDate, reached } from '../../../src/mapping/dates.js';
import { cfg, g, p, snap } from './fixtures.js';

const BERLIN = 'Europe/Berlin';
/** Berlin wall time on a summer day (UTC+2), as epoch ms. */
const berlin = (day: string, time: string) => Date.parse(`${day}T${time}:00+02:00`);
/** Windows file time (100 ns ticks since 1601) of an instant. */
const fileTime = (iso: string) => String(BigInt(Date.parse(iso)) * 10_000n + 116_444_736_000_000_000n);

const hostZone = process.env.TZ;
afterEach(() => {
  if (hostZone === undefined) delete process.env.TZ;
  else process.env.TZ = hostZone;
});

describe('start and end dates', () => {
  it('a day is a day in the profile zone: the last day holds until midnight there, a start day from midnight', () => {
    const last = parseDate('2027-07-30')!;
    expect(notPassed(last, berlin('2027-07-30', '23:59'), BERLIN)).toBe(true);
    expect(notPassed(last, berlin('2027-07-31', '00:01'), BERLIN)).toBe(false);
    // The same instant is still the 30th in UTC.
    expect(notPassed(last, berlin('2027-07-31', '00:01'), 'UTC')).toBe(true);
    const first = parseDate('2027-08-02')!;
    expect(reached(first, berlin('2027-08-01', '23:59'), BERLIN)).toBe(false);
    expect(reached(first, berlin('2027-08-02', '00:01'), BERLIN)).toBe(true);
  });

  it('instants: ISO with an offset, generalized time and Windows file time end at that moment', () => {
    const end = Date.parse('2027-07-30T22:00:00Z');
    for (const v of [
      '2027-07-30T22:00:00Z',
      '2027-07-31T00:00:00+02:00',
      '20270730220000.0Z',
      fileTime('2027-07-30T22:00:00Z'),
    ]) {
      const d = parseDate(v);
      expect(d, v).toEqual({ kind: 'instant', ms: end });
      expect(notPassed(d!, end - 1, BERLIN), v).toBe(true);
      expect(notPassed(d!, end, BERLIN), v).toBe(false);
    }
  });

  it("AD's accountExpires: 0 and 2^63-1 both mean never (ADUC writes 0 when an end date is set back to never)", () => {
    expect(parseDate('9223372036854775807')).toEqual({ kind: 'never' });
    expect(parseDate('0')).toEqual({ kind: 'never' });
  });

  it('someone whose accountExpires is 0 stays in scope under `date: notPassed`', () => {
    const s = snap(
      [
        p('never@x.com', ['staff'], { attributes: { accountExpires: ['0'] } }),
        p('max@x.com', ['staff'], { attributes: { accountExpires: ['9223372036854775807'] } }),
      ],
      [g('staff')],
    );
    const m = cfg({
      rules: [{ match: '^staff$', team: 'Staff' }],
      people: { where: [{ attribute: 'accountExpires', date: 'notPassed' }] },
    });
    const d = mapDirectory(s, m, { now: berlin('2027-07-30', '12:00'), timeZone: BERLIN });
    expect(d.people.map((x) => x.email)).toEqual(['max@x.com', 'never@x.com']);
    expect(d.warnings).toEqual([]);
  });

  it("a date and time without an offset reads the same whatever the host's zone", () => {
    const now = berlin('2027-07-30', '23:30');
    const answers = ['UTC', BERLIN, 'America/New_York'].map((tz) => {
      process.env.TZ = tz;
      const d = parseDate('2027-07-30T23:00:00');
      return { tz, parsed: d, notPassed: d && notPassed(d, now, BERLIN) };
    });
    expect(answers.map((a) => [a.parsed, a.notPassed])).toEqual(
      answers.map(() => [answers[0]!.parsed, answers[0]!.notPassed]),
    );
  });
});
