import { mappingSchema, policySchema } from '../../src/config/schema.js';
import { mapDirectory } from '../../src/mapping/index.js';
import type { Desired, Snapshot } from '../../src/model/index.js';
import { generateDirectory } from './synthetic-directory.js';

/** group-0 maps to Owners (so 2,000 groups fit the 2,000-team cap with it); group-N to team-N. */
export const scaleMapping = mappingSchema.parse({
  groups: { 'group-0': 'Owners' },
  rules: [{ match: '^group-(\\d+)$', team: 'team-$1' }],
});
export const scalePolicy = policySchema.parse({
  maxDeletes: 100_000,
  maxDeletePercent: 100,
  maxRemovals: 1_000_000,
  maxTeamShrinkPercent: 100,
});

export function scaleDirectory(
  people = 10_000,
  groups = 2_000,
  memberships = 50_000,
): { snapshot: Snapshot; desired: Desired } {
  const snapshot = generateDirectory({ people, groups, memberships, nestingDepth: 2, seed: 42 });
  return { snapshot, desired: mapDirectory(snapshot, scaleMapping) };
}

/** Writes needed from a target holding only the owner (user0, in Owners): computed without the planner. */
export function minimalWritesFromEmpty(desired: Desired, ownerEmail: string): number {
  const teamsToCreate = desired.teams.filter((t) => t.name !== 'Owners').length;
  let memberships = 0;
  for (const p of desired.people) {
    memberships += p.teams.length;
    if (p.email === ownerEmail && p.teams.includes('Owners')) memberships -= 1;
  }
  return teamsToCreate + memberships;
}
