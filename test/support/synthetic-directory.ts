import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Group, Person, Snapshot } from '../../src/model/index.js';
import { createPrng } from '../../src/emulators/prng.js';

export interface SyntheticOptions {
  people: number;
  groups: number;
  /**
   * Direct memberships in total. The first `people` go one to each person (so everyone is in a
   * group when memberships >= people); the rest land on random people without duplicates, so the
   * total is exact whenever people x groups allows it.
   */
  memberships: number;
  /** Levels of groups: 1 is flat; with n, the groups split into n levels and each group below the first has one parent in the level above. @defaultValue 1 */
  nestingDepth?: number;
  /** Share of people disabled. @defaultValue 0 */
  disabledShare?: number;
  seed: number;
}

/** The emulator's seeded PRNG (mulberry32): the same seed, the same directory. */
export const prng = createPrng;

/** A random pick attempts this many times to find a group the person is not in yet. */
const RETRIES = 16;

/**
 * A deterministic directory: person n is `p{n}` / `user{n}@example.com`, group n is `g{n}` /
 * `group-{n}`. Transitive duplicates (a person in a group and in its parent) are not avoided: the
 * mapping must collapse them.
 */
/** `people` people spread round-robin over flat groups named as given (ids g0, g1, … in order). */
export function roundRobinDirectory(groups: readonly string[], people: number): Snapshot {
  return {
    groups: groups.map((name, i) => ({ sourceId: `g${i}`, name, parentIds: [] })),
    people: Array.from({ length: people }, (_, i) => ({
      sourceId: `p${i}`,
      email: `user${i}@example.com`,
      displayName: `User ${i}`,
      enabled: true,
      groupIds: [`g${i % groups.length}`],
    })),
    issues: [],
  };
}

export function generateDirectory(o: SyntheticOptions): Snapshot {
  const rnd = prng(o.seed);
  const depth = Math.max(1, o.nestingDepth ?? 1);
  const perLevel = Math.ceil(o.groups / depth);
  const groups: Group[] = Array.from({ length: o.groups }, (_, i) => {
    const level = Math.floor(i / perLevel);
    const parent = level === 0 ? [] : [`g${(level - 1) * perLevel + (i % perLevel)}`];
    return { sourceId: `g${i}`, name: `group-${i}`, parentIds: parent };
  });
  const people: Person[] = Array.from({ length: o.people }, (_, i) => ({
    sourceId: `p${i}`,
    email: `user${i}@example.com`,
    displayName: `User ${i}`,
    enabled: rnd() >= (o.disabledShare ?? 0),
    groupIds: [],
  }));
  if (o.people === 0 || o.groups === 0) return { people, groups, issues: [] };
  for (let m = 0; m < o.memberships; m++) {
    const person = people[m < o.people ? m : Math.floor(rnd() * o.people)]!;
    for (let t = 0; t < RETRIES; t++) {
      const group = `g${Math.floor(rnd() * o.groups)}`;
      if (person.groupIds.includes(group)) continue;
      person.groupIds.push(group);
      break;
    }
  }
  return { people, groups, issues: [] };
}

/**
 * A changed copy, deterministic from the seed: round(share x people) (at least 1) each of group
 * moves (a person's groups replaced by one random group), leavers and hires (`hire{seed}-{i}`),
 * and the email of one remaining existing person changed with its sourceId kept: that person is
 * `people[0]` of the result. Groups are unchanged.
 */
export function churn(snapshot: Snapshot, o: { share: number; seed: number }): Snapshot {
  const rnd = prng(o.seed);
  const k = Math.max(1, Math.round(snapshot.people.length * o.share));
  const people = snapshot.people.map((p) => ({ ...p, groupIds: [...p.groupIds] }));
  const pick = () => Math.floor(rnd() * people.length);
  const group = () => `g${Math.floor(rnd() * snapshot.groups.length)}`;
  for (let i = 0; i < k; i++) people[pick()]!.groupIds = [group()];
  const leavers = new Set<number>();
  // Everyone but one may leave: the email change needs an existing person.
  while (leavers.size < Math.min(k, people.length - 1)) leavers.add(pick());
  const kept = people.filter((_, i) => !leavers.has(i));
  for (let i = 0; i < k; i++) {
    kept.push({
      sourceId: `hire${o.seed}-${i}`,
      email: `hire${o.seed}-${i}@example.com`,
      displayName: `Hire ${i}`,
      enabled: true,
      groupIds: [group()],
    });
  }
  if (kept.length > k) kept[0] = { ...kept[0]!, email: `renamed.${kept[0]!.email}` };
  return { people: kept, groups: snapshot.groups, issues: [] };
}

/** Columns of people.csv, as in config/sample/. */
export const PEOPLE_HEADER = ['id', 'email', 'display_name', 'given_name', 'family_name', 'enabled', 'groups'];

/**
 * people.csv + groups.csv in the sample directory's format (groups column: group ids joined by ";"),
 * with a column after `groups` for each of `attributes` (a person's values of it joined by ";").
 */
export function writeDirectoryCsv(
  snapshot: Snapshot,
  dir: string,
  attributes: readonly string[] = [],
): { people: string; groups: string } {
  mkdirSync(dir, { recursive: true });
  const people = join(dir, 'people.csv');
  const groups = join(dir, 'groups.csv');
  const rows = snapshot.people.map((p) =>
    row([
      p.sourceId,
      p.email,
      p.displayName,
      p.givenName ?? '',
      p.familyName ?? '',
      String(p.enabled),
      p.groupIds.join(';'),
      ...attributes.map((a) => (p.attributes?.[a] ?? []).join(';')),
    ]),
  );
  writeFileSync(people, [row([...PEOPLE_HEADER, ...attributes]), ...rows, ''].join('\n'));
  writeFileSync(
    groups,
    [
      row(['id', 'name', 'parent']),
      ...snapshot.groups.map((g) => row([g.sourceId, g.name, g.parentIds.join(';')])),
      '',
    ].join('\n'),
  );
  return { people, groups };
}

function row(values: string[]): string {
  return values.map((v) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v)).join(',');
}
