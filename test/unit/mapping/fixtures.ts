import { mappingSchema, type MappingConfig } from '../../../src/config/schema.js';
import type { Group, Person, Snapshot } from '../../../src/model/index.js';

/** A group whose sourceId is `id-<name>`, nested in the named parents. */
export const g = (name: string, ...parents: string[]): Group => ({
  sourceId: `id-${name}`,
  name,
  parentIds: parents.map((p) => `id-${p}`),
});

/** A person in the named groups (by their `id-<name>` ids). */
export const p = (email: string, groups: string[], over: Partial<Person> = {}): Person => ({
  sourceId: `s-${email.trim().toLowerCase()}`,
  email,
  displayName: email,
  enabled: true,
  groupIds: groups.map((n) => `id-${n}`),
  ...over,
});

export const snap = (people: Person[], groups: Group[]): Snapshot => ({ people, groups, issues: [] });

/** A mapping as the config loader would produce it (defaults applied, so the schema's checks run too). */
export const cfg = (m: Record<string, unknown> = {}): MappingConfig => mappingSchema.parse(m);

export const rule = (match: string, team: string, flags = '') => ({ match, team, flags });
