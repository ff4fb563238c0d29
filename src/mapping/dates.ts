/**
 * Dates as directories and HR files write them, for scoping on start and end dates: a day
 * (`2026-12-31`), an ISO 8601 instant (`2026-12-31T17:00:00Z`), AD's generalized time
 * (`20261231170000.0Z`) and Windows file time (`accountExpires`: 100 ns ticks since 1601).
 */
export type ParsedDate = { kind: 'day'; day: string } | { kind: 'instant'; ms: number } | { kind: 'never' };

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
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
  // Before the file time check: "0" is too short to be one.
  if (NEVER.has(v)) return { kind: 'never' };
  if (/^\d{15,19}$/.test(v)) {
    const ms = Number((BigInt(v) - EPOCH_TICKS) / 10_000n);
    return Number.isFinite(ms) ? { kind: 'instant', ms } : undefined;
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

/** Today's date (`YYYY-MM-DD`) in an IANA zone. */
export function todayIn(now: number, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}

/** A start date is reached: a day on or before today in the zone, an instant at or before now. */
export function reached(d: ParsedDate, now: number, timeZone: string): boolean {
  if (d.kind === 'never') return false;
  return d.kind === 'day' ? d.day <= todayIn(now, timeZone) : d.ms <= now;
}

/**
 * An end date has not passed: a day is the last day (on or after today in the zone), an instant
 * is the moment access ends; `never` never passes.
 */
export function notPassed(d: ParsedDate, now: number, timeZone: string): boolean {
  if (d.kind === 'never') return true;
  return d.kind === 'day' ? d.day >= todayIn(now, timeZone) : now < d.ms;
}
