import type { Group, Snapshot } from '../../../src/model/index.js';
import { churn, generateDirectory } from '../synthetic-directory.js';
import type { DayChange } from './adapter.js';

/**
 * The conformance scenario, the same for every target: day one is 90 people in 8 flat groups
 * (group-0 .. group-7); day two brings 5% churn (movers, leavers, hires, one email change kept on
 * the same person), group-4 renamed to group-104, group-2 deleted, group-8 new with five people.
 */
export function dayOne(seed: number): Snapshot {
  return generateDirectory({ people: 90, groups: 8, memberships: 150, seed });
}

export interface DayTwo {
  next: Snapshot;
  change: DayChange;
  /** The person whose email changed: [old, new]. */
  emailChange: [string, string];
  /** The container of the deleted group (every adapter maps group-N to a container team-N). */
  deleted: string;
}

export function dayTwo(base: Snapshot, seed: number): DayTwo {
  const c = churn(base, { share: 0.05, seed });
  const groups: Group[] = c.groups
    .filter((g) => g.sourceId !== 'g2')
    .map((g) => (g.sourceId === 'g4' ? { ...g, name: 'group-104' } : g));
  groups.push({ sourceId: 'g8', name: 'group-8', parentIds: [] });
  const people = c.people.map((p, i) => {
    const groupIds = p.groupIds.filter((g) => g !== 'g2');
    return { ...p, groupIds: i >= 40 && i < 45 ? [...groupIds, 'g8'] : groupIds };
  });
  const old = base.people.find((p) => p.sourceId === people[0]!.sourceId)!.email;
  return {
    next: { people, groups, issues: [] },
    change: { renamed: ['team-4', 'team-104'], emailChanged: [old, people[0]!.email] },
    emailChange: [old, people[0]!.email],
    deleted: 'team-2',
  };
}
