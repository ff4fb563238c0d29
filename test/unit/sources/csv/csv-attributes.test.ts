import { describe, expect, it } from 'vitest';
import { SourceReadError } from '../../../../src/errors/index.js';
import { csvFixture, readCsv, readCsvError } from './fixtures.js';

const HEADER = 'id,email,display_name,groups,Department,title,cost_center\n';

describe('CSV source: source.attributes', () => {
  it('reads the listed columns, normalised like names, as lists; empty cells and unlisted columns are left out', async () => {
    const snap = await readCsv(
      {
        'people.csv':
          HEADER +
          '1,a@x.com,A,Eng,"  Research \n and   Development ",Lead  Engineer,4711\n' +
          '2,b@x.com,B,Eng,   ,Analyst,4712\n',
      },
      // `department` finds the `Department` column, as the other columns match ignoring case.
      { attributes: ['department', 'title'] },
    );

    expect(snap.people.map((p) => p.attributes)).toEqual([
      { department: ['Research and Development'], title: ['Lead Engineer'] },
      { title: ['Analyst'] },
    ]);
  });

  it('an HR file mapped by attributes needs no groups column (nobody has groups then)', async () => {
    const snap = await readCsv(
      { 'people.csv': 'id,email,department\n1,a@x.com,Sales\n' },
      { attributes: ['department'] },
    );
    expect(snap.people.map((p) => [p.email, p.groupIds, p.attributes])).toEqual([
      ['a@x.com', [], { department: ['Sales'] }],
    ]);
    // Without attributes the groups column is what the file is for: still required.
    const err = await readCsvError({ 'people.csv': 'id,email,department\n1,a@x.com,Sales\n' });
    expect(err.message).toContain('required column "groups" is missing');
  });

  it('without attributes listed a person has none', async () => {
    const snap = await readCsv({ 'people.csv': HEADER + '1,a@x.com,A,Eng,R&D,Lead,4711\n' });

    expect(snap.people[0]).not.toHaveProperty('attributes');
  });

  it('memberships shape: the values come from the person’s first row', async () => {
    const snap = await readCsv(
      {
        'people.csv':
          'id,email,display_name,group,department\n1,a@x.com,A,Eng,R&D\n1,a@x.com,A,Ops,Sales\n2,b@x.com,B,Ops,\n',
      },
      { shape: 'memberships', attributes: ['department'] },
    );

    expect(snap.issues).toEqual([]);
    expect(snap.people.map((p) => [p.groupIds, p.attributes])).toEqual([
      [['Eng', 'Ops'], { department: ['R&D'] }],
      [['Ops'], {}],
    ]);
  });

  it('a listed column missing from the header fails the read naming file and column', async () => {
    const err = await readCsvError(
      { 'people.csv': HEADER + '1,a@x.com,A,Eng,R&D,Lead,4711\n' },
      {
        attributes: ['title', 'location'],
      },
    );

    expect(err).toBeInstanceOf(SourceReadError);
    expect(err.code).toBe('SOURCE_BAD_HEADER');
    expect(err.message).toBe(
      'people.csv:1: column "location" (listed in source.attributes) is missing ' +
        '(header has: id, email, display_name, groups, Department, title, cost_center)',
    );
  });

  it('check() (validate) reports the missing column the same way', async () => {
    const { source } = csvFixture({ 'people.csv': HEADER }, { attributes: ['location'] });

    await expect(source.check()).rejects.toThrow(
      /^people\.csv:1: column "location" \(listed in source\.attributes\) is missing/,
    );
  });
});
