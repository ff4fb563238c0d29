/**
 * Dates as directories and HR files write them, for scoping on start and end dates: a day
 * (`2026-12-31`), an ISO 8601 instant (`2026-12-31T17:00:00Z`), AD's generalized time
 * (`20261231170000.0Z`) and Windows file time (`accountExpires`: 100 ns ticks since 1601).
 */
export type ParsedDate =
  | { kind: 'day'; day: string }
  | { kind: 'instant'; ms: number }
  /** A date and time without an offset (`2027-07-30T23:00:00`): read in the profile's zone, never the host's. */
  | { kind: 'local'; wall: string }
  | { kind: 'never' };

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const LOCAL = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?$/;
const GENERALIZED = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})?(\d{2})?(?:[.,]\d+)?(Z|[+-]\d{4})$/;
/** Windows file time of 1970-01-01. */
const EPOCH_TICKS = 116_444_736_000_000_000n;
/** accountExpires: 0 and 2^63-1 both mean "never". */
const NEVER = new Set(['0', '9223372036854775807']);

export function parseDate(value: string): ParsedDate | undefined {
  const v = value.trim();
  const day = DAY.exec(v);
  if (day) return validDay(+day[1]!, +day[2]!, +day[3]!) ? { kind: 'day', day: v } : undefined;
  const g = GENERALIZED.exec(v);
  if (g) {
    const [, y, mo, d, h, mi = '00', s = '00', zone] = g;
    const iso = `${y}-${mo}-${d}T${h}:${mi}:${s}${zone === 'Z' ? 'Z' : `${zone!.slice(0, 3)}:${zone!.slice(3)}`}`;
    const ms = Date.parse(iso);
    return Number.isNaN(ms) || !validDay(+y!, +mo!, +d!) ? undefined : { kind: 'instant', ms };
  }
  if (NEVER.has(v)) return { kind: 'never' };
  if (/^\d{15,19}$/.test(v)) {
    const ms = Number((BigInt(v) - EPOCH_TICKS) / 10_000n);
    return Number.isFinite(ms) ? { kind: 'instant', ms } : undefined;
  }
  const local = LOCAL.exec(v);
  if (local) {
    const [, y, mo, d, h, mi, s = '00'] = local;
    return validDay(+y!, +mo!, +d!) && +h! < 24 && +mi! < 60 && +s < 60
      ? { kind: 'local', wall: `${y}-${mo}-${d}T${h}:${mi}:${s}` }
      : undefined;
  }
  if (/^\d{4}-\d{2}-\d{2}T/.test(v)) {
    const ms = Date.parse(v);
    return Number.isNaN(ms) ? undefined : { kind: 'instant', ms };
  }
  return undefined;
}

function validDay(y: number, m: number, d: number): boolean {
  const t = new Date(Date.UTC(y, m - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
}

/** One formatter per zone: building one costs far more than using it (it ran per person before). */
const wallClocks = new Map<string, Intl.DateTimeFormat>();
function wallClock(timeZone: string): Intl.DateTimeFormat {
  let f = wallClocks.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    wallClocks.set(timeZone, f);
  }
  return f;
}

let last: { now: number; timeZone: string; wall: string } | undefined;

/** The wall time (`YYYY-MM-DDTHH:MM:SS`) of an instant in an IANA zone (a mapping asks for one instant, person after person). */
export function wallTimeIn(now: number, timeZone: string): string {
  if (last && last.now === now && last.timeZone === timeZone) return last.wall;
  const wall = formatWall(now, timeZone);
  last = { now, timeZone, wall };
  return wall;
}

function formatWall(now: number, timeZone: string): string {
  const parts = Object.fromEntries(
    wallClock(timeZone)
      .formatToParts(now)
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}`;
}

/** Today's date (`YYYY-MM-DD`) in an IANA zone. */
export function todayIn(now: number, timeZone: string): string {
  return wallTimeIn(now, timeZone).slice(0, 10);
}

/** A start date is reached: a day on or before today in the zone, an instant at or before now. */
export function reached(d: ParsedDate, now: number, timeZone: string): boolean {
  if (d.kind === 'never') return false;
  if (d.kind === 'day') return d.day <= todayIn(now, timeZone);
  return d.kind === 'local' ? d.wall <= wallTimeIn(now, timeZone) : d.ms <= now;
}

/**
 * An end date has not passed: a day is the last day (on or after today in the zone), an instant
 * is the moment access ends; `never` never passes.
 */
export function notPassed(d: ParsedDate, now: number, timeZone: string): boolean {
  if (d.kind === 'never') return true;
  if (d.kind === 'day') return d.day >= todayIn(now, timeZone);
  return d.kind === 'local' ? wallTimeIn(now, timeZone) < d.wall : now < d.ms;
}
