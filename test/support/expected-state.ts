import { mappingSchema } from '../../src/config/schema.js';
import { mapDirectory } from '../../src/mapping/index.js';
import type { Snapshot } from '../../src/model/index.js';

export const harnessMapping = mappingSchema.parse({ rules: [{ match: '^group-(\\d+)$', team: 'team-$1' }] });

/** Team -> sorted member emails the directory asks for (plus the org's untouched Owners). */
export function expectedTeams(snapshot: Snapshot, owners: string[] = ['owner@example.com']): Record<string, string[]> {
  const desired = mapDirectory(snapshot, harnessMapping);
  const teams: Record<string, string[]> = { Owners: [...owners].sort() };
  for (const t of desired.teams) teams[t.name] = [];
  for (const p of desired.people) for (const t of p.teams) teams[t]!.push(p.email);
  for (const k of Object.keys(teams)) teams[k]!.sort();
  return teams;
}

/** Writes a minimal sync needs from an org holding only Owners: teams + memberships. */
export function minimalWrites(snapshot: Snapshot): number {
  const desired = mapDirectory(snapshot, harnessMapping);
  return desired.teams.length + desired.people.reduce((n, p) => n + p.teams.length, 0);
}
