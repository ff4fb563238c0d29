import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../../src/log/logger.js';
import type { Snapshot } from '../../../../src/model/index.js';
import { CsvSource } from '../../../../src/sources/csv/index.js';
import { csvSourceSchema } from '../../../../src/sources/csv/schema.js';
import { generateDirectory, writeDirectoryCsv } from '../../../support/synthetic-directory.js';
import { H, readCsv } from './fixtures.js';

const CONFIG_DIR = fileURLToPath(new URL('../../../../config', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'rostersync-csv-scale-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function readDir(
  baseDir: string,
  people: string,
  groups: string,
  maxInvalidRows = 50,
  attributes: string[] = [],
): Promise<Snapshot> {
  const config = csvSourceSchema.parse({
    kind: 'csv',
    path: people,
    groupsFile: { path: groups },
    maxInvalidRows,
    attributes,
  });
  return (await new CsvSource(config, { log: silentLogger, baseDir, profile: 'test' }).read({ mode: 'full' })).snapshot;
}

describe('the bundled sample directory (config/sample)', () => {
  it('reads with no issues and holds what it was designed to show', async () => {
    const snap = await readDir(CONFIG_DIR, 'sample/people.csv', 'sample/groups.csv', 0);
    const group = (name: string) => snap.groups.find((g) => g.name === name)!;

    expect(snap.issues).toEqual([]);
    expect(snap.people).toHaveLength(60);
    expect(snap.groups.map((g) => g.name)).toEqual([
      'Engineering',
      'Platform',
      'Data',
      'Sales',
      'Marketing',
      'Finance',
      'Support',
      'bi-analysts',
      'bi-admins',
      'Contractors',
    ]);
    expect(group('Platform').parentIds).toEqual([group('Engineering').sourceId]);
    expect(group('Data').parentIds).toEqual([group('Engineering').sourceId]);
    expect(snap.groups.filter((g) => g.parentIds.length > 0)).toHaveLength(2);
    expect(snap.people.filter((p) => !p.enabled).map((p) => p.displayName)).toEqual([
      'Edsger Dijkstra',
      'Larry Page',
      'Lynn Conway',
    ]);
    expect(snap.people.filter((p) => p.groupIds.length === 0)).toHaveLength(8);
    expect(snap.people.filter((p) => p.groupIds.length > 1)).toHaveLength(13);
    expect(snap.people.map((p) => p.displayName)).toEqual(
      expect.arrayContaining(['José Núñez', "Zoë O'Brien", 'Smith, Jr., Robert']),
    );
    expect(snap.people.every((p) => p.givenName && p.familyName && /^E1\d{3}$/.test(p.sourceId))).toBe(true);
  });

  it('carries the attribute columns the sample configs list: department, location, employee type, end date', async () => {
    const attributes = ['department', 'location', 'employee_type', 'end_date'];
    const snap = await readDir(CONFIG_DIR, 'sample/people.csv', 'sample/groups.csv', 0, attributes);
    const values = (name: string) => snap.people.flatMap((p) => p.attributes?.[name] ?? []);
    const byId = (id: string) => snap.people.find((p) => p.sourceId === id)!;

    expect(snap.issues).toEqual([]);
    expect(new Set(values('department'))).toEqual(
      new Set(['Engineering', 'Sales', 'Marketing', 'Finance', 'Customer Support', 'People', 'Legal', 'Facilities']),
    );
    expect(snap.people.filter((p) => !p.attributes?.department).map((p) => p.displayName)).toEqual(['Sven Berg']);
    expect(new Set(values('location'))).toEqual(new Set(['London', 'Berlin', 'New York', 'Singapore']));
    expect(values('location')).toHaveLength(60);
    // The Contractors group's members are the contractors; two interns; everyone else an employee.
    const contractors = snap.people.filter((p) => p.attributes?.employee_type?.[0] === 'Contractor');
    const inContractors = snap.groups.find((g) => g.name === 'Contractors')!.sourceId;
    expect(contractors.map((p) => p.sourceId)).toEqual(
      snap.people.filter((p) => p.groupIds.includes(inContractors)).map((p) => p.sourceId),
    );
    expect(values('employee_type').filter((v) => v === 'Intern')).toHaveLength(2);
    // One end date long past (a leaver), one far ahead.
    expect(
      snap.people.filter((p) => p.attributes?.end_date).map((p) => [p.displayName, p.attributes!.end_date]),
    ).toEqual([
      ['Fatima Zahra', ['2035-12-31']],
      ['Mateo Silva', ['2025-06-30']],
    ]);
    expect(byId('E1044').attributes).toEqual({
      department: ['Customer Support'],
      location: ['New York'],
      employee_type: ['Employee'],
    });
  });
});

describe('big files', () => {
  it('a generated 50,000-person directory round-trips through people.csv and groups.csv', async () => {
    const dir = generateDirectory({
      people: 50_000,
      groups: 2_000,
      memberships: 75_000,
      nestingDepth: 3,
      disabledShare: 0.02,
      seed: 7,
    });
    writeDirectoryCsv(dir, join(tmp, 'gen'));

    const snap = await readDir(tmp, 'gen/people.csv', 'gen/groups.csv', 0);

    expect(snap.issues).toEqual([]);
    expect(snap.people).toHaveLength(50_000);
    expect(snap.groups).toHaveLength(2_000);
    expect(snap.people.reduce((n, p) => n + p.groupIds.length, 0)).toBe(75_000);
    expect(snap.people.filter((p) => !p.enabled)).toHaveLength(dir.people.filter((p) => !p.enabled).length);
    expect(snap).toEqual(dir);
  });

  it('line numbers stay exact across stream chunks in a 30,000-row file with multi-line fields', async () => {
    const rows: string[] = [];
    const expected: { where: string; reason: string }[] = [];
    let line = 1;
    for (let i = 0; i < 30_000; i++) {
      line += 1;
      if (i % 5_000 === 4_999) {
        rows.push(`${i},bad${i},B,true,g1`);
        expected.push({ where: `people.csv:${line}`, reason: `invalid email "bad${i}"` });
      } else if (i % 100 === 0) {
        rows.push(`${i},u${i}@example.com,"Three\r\nline\nname ${i}",true,g1;g2`);
        line += 2;
      } else {
        rows.push(`${i},u${i}@example.com,"Name, ${i}",true,g1`);
      }
    }

    const snap = await readCsv({ 'people.csv': H + rows.join('\n') + '\n' });

    expect(snap.issues).toEqual(expected);
    expect(snap.people).toHaveLength(30_000 - expected.length);
    expect(snap.people.find((p) => p.sourceId === '29900')!.displayName).toBe('Three line name 29900');
  });
});
