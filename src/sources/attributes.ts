import { z } from 'zod';
import { normaliseAttributeValue } from '../model/index.js';

/**
 * `source.attributes`: what a source reads of each person besides the essentials, by the name the
 * mapping uses (a CSV column, an LDAP attribute, a Graph user property or path). Only these are read.
 */
export const attributesSchema = z
  .array(z.string().trim().min(1))
  .default([])
  .refine((names) => new Set(names).size === names.length, 'an attribute is listed twice')
  .describe(
    'Attributes read for each person, for mapping rules and scoping filters (docs/mapping.md): CSV columns, LDAP attributes, Graph user properties (paths like employeeOrgData.costCenter).',
  );

/**
 * One-value lists shared, for one read, by everyone who holds that value: a department or an office
 * repeats across thousands of people, and a list (and string) of its own for each would be kept,
 * and copied by the garbage collector, thousands of times. An attribute with more distinct values
 * than `limit` (an employee number) stops being shared. Shared lists are frozen: a Person's
 * attribute lists are never changed in place.
 */
export class SharedValues {
  private readonly byName = new Map<string, Map<string, string[]> | 'too many'>();

  constructor(private readonly limit = 1_000) {}

  one(name: string, value: string): string[] {
    let lists = this.byName.get(name);
    if (lists === 'too many') return [value];
    if (!lists) this.byName.set(name, (lists = new Map()));
    let list = lists.get(value);
    if (list) return list;
    list = Object.freeze([value]) as string[];
    lists.set(value, list);
    // Past the limit the values are nearly all distinct: stop looking them up.
    if (lists.size >= this.limit) this.byName.set(name, 'too many');
    return list;
  }
}

/**
 * A person's values of the listed attributes, normalised, empty ones dropped; an attribute without
 * values is left out. `valuesOf` gives the raw values of one attribute (none: undefined or []).
 * With `shared`, one-value lists come from it.
 */
export function readAttributes(
  names: readonly string[],
  valuesOf: (name: string) => readonly string[] | string | undefined,
  shared?: SharedValues,
): Record<string, string[]> | undefined {
  if (names.length === 0) return undefined;
  const out: Record<string, string[]> = {};
  for (const name of names) {
    const raw = valuesOf(name);
    if (raw === undefined) continue;
    if (typeof raw === 'string') {
      // One value, the common case: no list but the one kept.
      const v = normaliseAttributeValue(raw);
      if (v !== '') out[name] = shared ? shared.one(name, v) : [v];
      continue;
    }
    // A loop, not map and filter: this runs for every attribute of every person.
    const list: string[] = [];
    for (const value of raw) {
      const v = normaliseAttributeValue(value);
      if (v !== '') list.push(v);
    }
    if (list.length > 0) out[name] = shared && list.length === 1 ? shared.one(name, list[0]!) : list;
  }
  return out;
}
