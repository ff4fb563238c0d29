import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Snapshot } from '../../../../src/model/index.js';
import { churn, generateDirectory, PEOPLE_HEADER, writeDirectoryCsv } from '../../../support/synthetic-directory.js';

const memberships = (s: Snapshot) => s.people.reduce((n, p) => n + p.groupIds.length, 0);

describe('generateDirectory', () => {
  it('is deterministic for a seed and differs between seeds', () => {
    const o = { people: 500, groups: 40, memberships: 900, nestingDepth: 2, disabledShare: 0.1 };

    expect(generateDirectory({ ...o, seed: 1 })).toEqual(generateDirectory({ ...o, seed: 1 }));
    expect(generateDirectory({ ...o, seed: 1 })).not.toEqual(generateDirectory({ ...o, seed: 2 }));
  });

  it('makes the asked counts: unique ids and emails, exact direct memberships without duplicates, everyone in a group', () => {
    const s = generateDirectory({ people: 2_000, groups: 30, memberships: 5_000, seed: 3 });

    expect(s.people).toHaveLength(2_000);
    expect(s.groups).toHaveLength(30);
    expect(new Set(s.people.map((p) => p.sourceId)).size).toBe(2_000);
    expect(s.people.map((p) => p.email).slice(0, 3)).toEqual([
      'user0@example.com',
      'user1@example.com',
      'user2@example.com',
    ]);
    expect(new Set(s.people.map((p) => p.email)).size).toBe(2_000);
    expect(s.groups.map((g) => g.name).slice(0, 2)).toEqual(['group-0', 'group-1']);
    expect(memberships(s)).toBe(5_000);
    expect(s.people.every((p) => p.groupIds.length > 0 && new Set(p.groupIds).size === p.groupIds.length)).toBe(true);
    expect(s.people.every((p) => p.enabled)).toBe(true);
    expect(s.issues).toEqual([]);
  });

  it('with fewer memberships than people, the first people get one group each and the rest none', () => {
    const s = generateDirectory({ people: 10, groups: 3, memberships: 4, seed: 4 });

    expect(s.people.map((p) => p.groupIds.length)).toEqual([1, 1, 1, 1, 0, 0, 0, 0, 0, 0]);
  });

  it('nests groups in the asked number of levels, every parent declared and one level up', () => {
    const s = generateDirectory({ people: 100, groups: 30, memberships: 150, nestingDepth: 3, seed: 5 });
    const byId = new Map(s.groups.map((g) => [g.sourceId, g]));
    const level = (id: string): number => {
      const parents = byId.get(id)!.parentIds;
      return parents.length === 0 ? 1 : 1 + level(parents[0]!);
    };

    expect(s.groups.filter((g) => g.parentIds.length === 0)).toHaveLength(10);
    expect(s.groups.every((g) => g.parentIds.every((p) => byId.has(p)))).toBe(true);
    expect(Math.max(...s.groups.map((g) => level(g.sourceId)))).toBe(3);
    expect(
      generateDirectory({ people: 10, groups: 5, memberships: 10, seed: 5 }).groups.every(
        (g) => g.parentIds.length === 0,
      ),
    ).toBe(true);
  });

  it('disables about disabledShare of the people', () => {
    const s = generateDirectory({ people: 10_000, groups: 10, memberships: 10_000, disabledShare: 0.1, seed: 6 });
    const disabled = s.people.filter((p) => !p.enabled).length;

    expect(disabled).toBeGreaterThan(800);
    expect(disabled).toBeLessThan(1_200);
  });

  it('generates 50,000 people with 75,000 memberships', () => {
    const s = generateDirectory({ people: 50_000, groups: 2_000, memberships: 75_000, nestingDepth: 2, seed: 7 });

    expect(s.people).toHaveLength(50_000);
    expect(memberships(s)).toBe(75_000);
  });
});

describe('churn', () => {
  const base = generateDirectory({ people: 1_000, groups: 20, memberships: 1_500, seed: 8 });
  const ids = (s: Snapshot) => new Set(s.people.map((p) => p.sourceId));

  it('is deterministic and leaves its input alone', () => {
    const copy = structuredClone(base);

    expect(churn(base, { share: 0.05, seed: 9 })).toEqual(churn(base, { share: 0.05, seed: 9 }));
    expect(base).toEqual(copy);
  });

  it('hires and loses share x people, moves people between groups, and changes one email keeping the sourceId', () => {
    const next = churn(base, { share: 0.05, seed: 9 });
    const before = ids(base);
    const after = ids(next);
    const hires = next.people.filter((p) => !before.has(p.sourceId));
    const leavers = base.people.filter((p) => !after.has(p.sourceId));
    const old = new Map(base.people.map((p) => [p.sourceId, p]));
    const moved = next.people.filter(
      (p) => old.has(p.sourceId) && old.get(p.sourceId)!.groupIds.join() !== p.groupIds.join(),
    );
    const renamed = next.people.filter((p) => old.has(p.sourceId) && old.get(p.sourceId)!.email !== p.email);

    expect(hires).toHaveLength(50);
    expect(leavers).toHaveLength(50);
    expect(moved.length).toBeGreaterThan(30);
    expect(renamed).toEqual([next.people[0]]);
    expect(renamed[0]!.email).toBe(`renamed.${old.get(renamed[0]!.sourceId)!.email}`);
    expect(new Set(next.people.map((p) => p.email.toLowerCase())).size).toBe(next.people.length);
    expect(next.groups).toEqual(base.groups);
  });
});

describe('writeDirectoryCsv', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rostersync-gen-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes people.csv and groups.csv with the sample directory header, quoting where needed', () => {
    const s: Snapshot = {
      people: [
        {
          sourceId: 'p1',
          email: 'a@x.com',
          displayName: 'Smith, "Al"',
          givenName: 'Al',
          familyName: 'Smith',
          enabled: false,
          groupIds: ['g1', 'g2'],
        },
      ],
      groups: [
        { sourceId: 'g1', name: 'One', parentIds: [] },
        { sourceId: 'g2', name: 'Two, too', parentIds: ['g1'] },
      ],
      issues: [],
    };

    const files = writeDirectoryCsv(s, join(dir, 'out'));

    expect(readFileSync(files.people, 'utf8')).toBe(
      'id,email,display_name,given_name,family_name,enabled,groups\np1,a@x.com,"Smith, ""Al""",Al,Smith,false,g1;g2\n',
    );
    expect(readFileSync(files.groups, 'utf8')).toBe('id,name,parent\ng1,One,\ng2,"Two, too",g1\n');
    // The sample adds attribute columns after these (department, location, ...); the generator writes none.
    expect(
      readFileSync(new URL('../../../../config/sample/people.csv', import.meta.url), 'utf8')
        .split('\n')[0]!
        .split(',')
        .slice(0, PEOPLE_HEADER.length),
    ).toEqual(PEOPLE_HEADER);
  });
});
