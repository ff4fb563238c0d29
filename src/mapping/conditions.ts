import type { Person } from '../model/index.js';

/** A condition as the config gives it (conditionSchema in src/config/schema.ts checks its shape). */
export interface Condition {
  attribute?: string | undefined;
  memberOf?: string | undefined;
  equals?: string | undefined;
  notEquals?: string | undefined;
  in?: string[] | undefined;
  notIn?: string[] | undefined;
  matches?: string | undefined;
  flags?: string | undefined;
  present?: true | undefined;
  absent?: true | undefined;
  date?: 'reached' | 'notPassed' | undefined;
}
import { notPassed, parseDate, reached, type ParsedDate } from './dates.js';

/** What a condition needs to know of a person besides their attributes. */
export interface ConditionContext {
  /** Ids and names of the person's groups, direct and inherited (built on first use: few conditions name a group). */
  groups(): ReadonlySet<string>;
  now: number;
  timeZone: string;
}

/** Why a person fails a condition list: the first failed condition, and whether it was a date. */
export interface Failed {
  condition: string;
  date?: 'notStarted' | 'ended';
  /** A date value that does not parse: named in a warning, and never in scope. */
  badDate?: string;
}

export interface CompiledCondition {
  text: string;
  test(p: Person, ctx: ConditionContext): true | Failed;
}

const lower = (s: string) => s.toLowerCase();

/** A condition in words, for reasons and `explain`: `department = Sales`, `member of bi-users`. */
export function conditionText(c: Condition): string {
  if ('memberOf' in c && c.memberOf !== undefined) return `member of ${c.memberOf}`;
  const a = c.attribute!;
  if (c.equals !== undefined) return `${a} = ${c.equals}`;
  if (c.notEquals !== undefined) return `${a} != ${c.notEquals}`;
  if (c.in !== undefined) return `${a} in [${c.in.join(', ')}]`;
  if (c.notIn !== undefined) return `${a} not in [${c.notIn.join(', ')}]`;
  if (c.matches !== undefined) return `${a} matches /${c.matches}/${c.flags ?? ''}`;
  if (c.present) return `${a} present`;
  if (c.absent) return `${a} absent`;
  return c.date === 'reached' ? `${a} reached` : `${a} not passed`;
}

/**
 * Compiles one condition. Text comparisons ignore case (a directory writes `Sales` and `sales`
 * alike); a multi-valued attribute meets `equals`, `in` and `matches` when any value does, and
 * `notEquals`, `notIn` when none does. Dates: `reached` needs a value on or before today (in the
 * profile's zone); `notPassed` holds with no value (no end date) or one on or after today.
 */
export function compileCondition(c: Condition): CompiledCondition {
  const text = conditionText(c);
  // The plain failure is one object for everyone who fails (it is only read).
  const failed: Failed = Object.freeze({ condition: text });
  const fail = (extra?: Omit<Failed, 'condition'>): Failed => (extra ? { condition: text, ...extra } : failed);
  if (c.memberOf !== undefined) {
    const name = c.memberOf;
    return { text, test: (_p, ctx) => ctx.groups().has(name) || fail() };
  }
  const a = c.attribute!;
  const values = (p: Person) => p.attributes?.[a] ?? [];
  const any = (ok: (v: string) => boolean) => {
    const test = remembered(ok);
    return (p: Person) => {
      for (const v of values(p)) if (test(v)) return true;
      return failed;
    };
  };
  const none = (bad: (v: string) => boolean) => {
    const test = remembered(bad);
    return (p: Person) => {
      for (const v of values(p)) if (test(v)) return failed;
      return true;
    };
  };
  let test: (p: Person, ctx: ConditionContext) => true | Failed;
  if (c.equals !== undefined) {
    const wanted = lower(c.equals);
    test = any((v) => lower(v) === wanted);
  } else if (c.notEquals !== undefined) {
    const unwanted = lower(c.notEquals);
    test = none((v) => lower(v) === unwanted);
  } else if (c.in !== undefined) {
    const set = new Set(c.in.map(lower));
    test = any((v) => set.has(lower(v)));
  } else if (c.notIn !== undefined) {
    const set = new Set(c.notIn.map(lower));
    test = none((v) => set.has(lower(v)));
  } else if (c.matches !== undefined) {
    const re = new RegExp(c.matches, (c.flags ?? '').replace(/[gy]/g, ''));
    test = any((v) => re.test(v));
  } else if (c.present) test = (p) => (values(p).length > 0 ? true : fail());
  else if (c.absent) test = (p) => (values(p).length === 0 ? true : fail());
  else {
    const start = c.date === 'reached';
    // HR files repeat a handful of dates across thousands of people: each distinct value is parsed once.
    const parse = remembered<ParsedDate | undefined>(parseDate);
    test = (p, ctx) => {
      const v = values(p)[0];
      if (v === undefined) return start ? fail({ date: 'notStarted' }) : true;
      const d = parse(v);
      if (!d) return fail({ badDate: v });
      if (start) return reached(d, ctx.now, ctx.timeZone) ? true : fail({ date: 'notStarted' });
      return notPassed(d, ctx.now, ctx.timeZone) ? true : fail({ date: 'ended' });
    };
  }
  return { text, test };
}

/**
 * What `f` makes of one value, remembered per distinct value: a department, an office or a date
 * repeats across thousands of people. Only so many are kept (an attribute of distinct values gains
 * nothing from it).
 */
export function remembered<T>(f: (v: string) => T, limit = 10_000): (v: string) => T {
  const seen = new Map<string, T>();
  return (v) => {
    const known = seen.get(v);
    if (known !== undefined || seen.has(v)) return known as T;
    const r = f(v);
    if (seen.size < limit) seen.set(v, r);
    return r;
  };
}

/** All of a list must hold: the first that does not, or true. */
export function compileConditions(list: readonly Condition[]): (p: Person, ctx: ConditionContext) => true | Failed {
  const compiled = list.map(compileCondition);
  return (p, ctx) => {
    for (const c of compiled) {
      const r = c.test(p, ctx);
      if (r !== true) return r;
    }
    return true;
  };
}

/** The attributes a condition list reads (for config checks). */
export const attributesOf = (list: readonly Condition[] | undefined): string[] =>
  (list ?? []).flatMap((c) => (c.attribute !== undefined ? [c.attribute] : []));
