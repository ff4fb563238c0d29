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
 * A person's values of the listed attributes, normalised, empty ones dropped; an attribute without
 * values is left out. `valuesOf` gives the raw values of one attribute (none: undefined or []).
 */
export function readAttributes(
  names: readonly string[],
  valuesOf: (name: string) => readonly string[] | string | undefined,
): Record<string, string[]> | undefined {
  if (names.length === 0) return undefined;
  const out: Record<string, string[]> = {};
  for (const name of names) {
    const raw = valuesOf(name);
    const list = (raw === undefined ? [] : typeof raw === 'string' ? [raw] : raw)
      .map(normaliseAttributeValue)
      .filter((v) => v !== '');
    if (list.length > 0) out[name] = list;
  }
  return out;
}
