import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Group, Person, Snapshot } from '../../src/model/index.js';
import { createPrng } from '../../src/emulator/chartio/prng.js';

export interface SyntheticOptions {
  people: number;
  groups: number;
  /** Direct memberships in total (spread over people, at least one each when >= people). */
  memberships: number;
  /** Levels of nesting: group i's parent is a group of the level above. @defaultValue 1 */
  nestingDepth?: number;
  /** Share of people disabled. @defaultValue 0 */
  disabledShare?: number;
  seed: number;
}

/** The emulator's seeded PRNG (mulberry32): the same seed, the same directory. */
export const prng = createPrng;

/**
 * A deterministic directory: `user{n}@example.com` in `group-{n}`. Nesting: the first groups are
 * roots; each deeper level's groups have a parent in the level above. No transitive duplicates are
 * avoided on purpose: the mapping must collapse them.
 */
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
  for (let m = 0; m < o.memberships; m++) {
    const person = people[m < o.people ? m : Math.floor(rnd() * o.people)]!;
    const group = `g${Math.floor(rnd() * o.groups)}`;
    if (!person.groupIds.includes(group)) person.groupIds.push(group);
  }
  return { people, groups, issues: [] };
}

/**
 * A changed copy: `share` of people leave, as many are hired, as many move groups, and one existing
 * person's email changes (same sourceId).
 */
export function churn(snapshot: Snapshot, o: { share: number; seed: number }): Snapshot {
  const rnd = prng(o.seed);
  const k = Math.max(1, Math.round(snapshot.people.length * o.share));
  const people = snapshot.people.map((p) => ({ ...p, groupIds: [...p.groupIds] }));
  const pick = () => Math.floor(rnd() * people.length);
  for (let i = 0; i < k; i++) {
    const p = people[pick()]!;
    p.groupIds = [`g${Math.floor(rnd() * snapshot.groups.length)}`];
  }
  const leavers = new Set<number>();
  while (leavers.size < k) leavers.add(pick());
  const kept = people.filter((_, i) => !leavers.has(i));
  for (let i = 0; i < k; i++) {
    kept.push({ sourceId: `hire${o.seed}-${i}`, email: `hire${o.seed}-${i}@example.com`, displayName: `Hire ${i}`, enabled: true, groupIds: [`g${Math.floor(rnd() * snapshot.groups.length)}`] });
  }
  kept[0] = { ...kept[0]!, email: `renamed.${kept[0]!.email}` };
  return { people: kept, groups: snapshot.groups, issues: [] };
}

/** people.csv + groups.csv in the sample directory's format. */
export function writeDirectoryCsv(snapshot: Snapshot, dir: string): { people: string; groups: string } {
  mkdirSync(dir, { recursive: true });
  const q = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  const people = join(dir, 'people.csv');
  const groups = join(dir, 'groups.csv');
  writeFileSync(people, 'id,email,display_name,enabled,groups\n' + snapshot.people.map((p) => [p.sourceId, p.email, q(p.displayName), String(p.enabled), p.groupIds.join(';')].join(',')).join('\n') + '\n');
  writeFileSync(groups, 'id,name,parent\n' + snapshot.groups.map((g) => [g.sourceId, q(g.name), g.parentIds.join(';')].join(',')).join('\n') + '\n');
  return { people, groups };
}
