import { normaliseEmail, type Person } from '../../model/index.js';
import { readAttributes, type SharedValues } from '../attributes.js';
import type { Resolved } from './groups-file.js';
import { headerIndex } from './header.js';
import { split } from './read-file.js';
import type { CsvSourceConfig } from './schema.js';

// One address, no display-name form, no lists: "a@x.com;b@x.com" or "Ann <a@x.com>" are bad rows.
const EMAIL = /^[^\s@,;<>()[\]"]+@(?:[^\s@,;<>()[\]".]+\.)+[^\s@,;<>()[\]".]+$/;
const TRUE = new Set(['true', 'yes', '1', 'active', 'enabled']);
const FALSE = new Set(['false', 'no', '0', 'inactive', 'disabled']);

export interface PeopleColumns {
  id?: number;
  email: number;
  displayName?: number;
  givenName?: number;
  familyName?: number;
  enabled?: number;
  /**
   * The groups column (person-groups) or the group column (memberships). An HR file mapped by its
   * attributes may have none (person-groups with source.attributes): nobody has groups then.
   */
  groups?: number;
  /** Each listed attribute (source.attributes) -> its column. */
  attributes: Map<string, number>;
  width: number;
}

export function peopleColumns(header: string[], file: string, config: CsvSourceConfig): PeopleColumns {
  const c = config.columns;
  const at = headerIndex(header, file);
  const cols: PeopleColumns = {
    email: at(c.email, true),
    groups:
      config.shape === 'memberships' || config.attributes.length === 0
        ? at(config.shape === 'person-groups' ? c.groups : c.group, true)
        : at(c.groups, false),
    attributes: new Map(config.attributes.map((name) => [name, at(name, true, 'listed in source.attributes')])),
    width: header.length,
  };
  const optional = {
    id: at(c.id, false),
    displayName: at(c.displayName, false),
    givenName: at(c.givenName, false),
    familyName: at(c.familyName, false),
    enabled: at(c.enabled, false),
  };
  for (const [k, v] of Object.entries(optional)) if (v !== undefined) cols[k as keyof typeof optional] = v;
  return cols;
}

/** The person fields a row states (before defaults): two rows of one person must agree on them. */
export interface Stated {
  email: string;
  displayName: string;
  givenName: string;
  familyName: string;
  enabled: boolean;
}

export type RowResult = { person: Person; stated: Stated } | { reason: string };

/** One people row -> a Person, or the reason it is a bad row. */
export function parseRow(
  f: string[],
  cols: PeopleColumns,
  config: CsvSourceConfig,
  resolveGroup: (value: string) => Resolved,
  shared?: SharedValues,
): RowResult {
  if (f.length !== cols.width) return { reason: `expected ${cols.width} columns, found ${f.length}` };
  const get = (i: number | undefined) => (i === undefined ? '' : f[i]!.trim());
  // Names from exports carry stray line breaks and double spaces; the target shows one line.
  const name = (i: number | undefined) => get(i).replace(/\s+/g, ' ');
  const id = get(cols.id);
  if (cols.id !== undefined && !id) return { reason: `missing ${config.columns.id}` };
  const email = get(cols.email);
  if (!email) return { reason: 'missing email' };
  if (!EMAIL.test(email)) return { reason: `invalid email "${email}"` };
  const enabledRaw = get(cols.enabled).toLowerCase();
  if (enabledRaw && !TRUE.has(enabledRaw) && !FALSE.has(enabledRaw))
    return { reason: `invalid ${config.columns.enabled} value "${enabledRaw}"` };
  const values =
    cols.groups === undefined
      ? []
      : config.shape === 'person-groups'
        ? split(get(cols.groups), config.groupDelimiter)
        : [get(cols.groups)].filter(Boolean);
  const groupIds: string[] = [];
  for (const value of values) {
    const r = resolveGroup(value);
    if ('reason' in r) return { reason: r.reason };
    if (!groupIds.includes(r.id)) groupIds.push(r.id);
  }
  const stated: Stated = {
    email: normaliseEmail(email),
    displayName: name(cols.displayName),
    givenName: name(cols.givenName),
    familyName: name(cols.familyName),
    enabled: !FALSE.has(enabledRaw),
  };
  const { givenName: given, familyName: family } = stated;
  const attributes = readAttributes(config.attributes, (a) => get(cols.attributes.get(a)), shared);
  return {
    person: {
      sourceId: id || stated.email,
      email,
      displayName: stated.displayName || [given, family].filter(Boolean).join(' ') || email,
      ...(given ? { givenName: given } : {}),
      ...(family ? { familyName: family } : {}),
      enabled: stated.enabled,
      groupIds,
      ...(attributes ? { attributes } : {}),
    },
    stated,
  };
}

/** The first person field two rows of one person disagree on (memberships shape). */
export function conflict(a: Stated, b: Stated): string | undefined {
  if (a.email !== b.email) return 'email';
  if (a.displayName !== b.displayName) return 'display name';
  if (a.givenName !== b.givenName) return 'given name';
  if (a.familyName !== b.familyName) return 'family name';
  if (a.enabled !== b.enabled) return 'enabled';
  return undefined;
}
