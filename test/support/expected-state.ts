import { mappingSchema, type MappingConfig } from '../../src/config/schema.js';
import { mapDirectory } from '../../src/mapping/index.js';
import type { MapOptions } from '../../src/mapping/map-directory.js';
import type { Snapshot } from '../../src/model/index.js';
import { fitName } from '../../src/plan/team-name.js';

export const harnessMapping = mappingSchema.parse({ rules: [{ match: '^group-(\\d+)$', team: 'team-$1' }] });

export interface ExpectOptions {
  /** @defaultValue harnessMapping */
  mapping?: MappingConfig;
  /** How the target shapes names (case folding), as the sync passes it to the mapping. */
  mapOptions?: MapOptions;
  /** The target's name limit: longer names are expected cut by the documented rule. */
  maxNameLength?: number;
}

/** Team -> sorted member emails the directory asks for (plus the org's untouched Owners). */
export function expectedTeams(
  snapshot: Snapshot,
  owners: string[] = ['owner@example.com'],
  o: ExpectOptions = {},
): Record<string, string[]> {
  const desired = mapDirectory(snapshot, o.mapping ?? harnessMapping, o.mapOptions);
  const name = (t: string) => fitName(t, o.maxNameLength);
  const teams: Record<string, string[]> = { Owners: [...owners].sort() };
  for (const t of desired.teams) if (t.gone === undefined) teams[name(t.name)] = [];
  for (const p of desired.people) for (const t of p.teams) teams[name(t)]!.push(p.email);
  for (const k of Object.keys(teams)) teams[k]!.sort();
  return teams;
}

/** Writes a minimal sync needs from an org holding only Owners: teams + memberships. */
export function minimalWrites(snapshot: Snapshot): number {
  const desired = mapDirectory(snapshot, harnessMapping);
  return desired.teams.length + desired.people.reduce((n, p) => n + p.teams.length, 0);
}
