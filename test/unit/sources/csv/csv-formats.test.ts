import { describe, expect, it } from 'vitest';
import { H, readCsv } from './fixtures.js';

describe('CSV source: person-groups shape', () => {
  it('reads one row per person with a delimited groups column; groups are identified by name', async () => {
    const snap = await readCsv({
      'people.csv': H + '1,a@x.com,Ann,true,Eng;Data\n2,b@x.com,Bob,false,\n3,c@x.com,Cy,true, Data ; ;Eng\n',
    });

    expect(snap.people).toEqual([
      { sourceId: '1', email: 'a@x.com', displayName: 'Ann', enabled: true, groupIds: ['Eng', 'Data'] },
      { sourceId: '2', email: 'b@x.com', displayName: 'Bob', enabled: false, groupIds: [] },
      { sourceId: '3', email: 'c@x.com', displayName: 'Cy', enabled: true, groupIds: ['Data', 'Eng'] },
    ]);
    expect(snap.groups).toEqual([
      { sourceId: 'Eng', name: 'Eng', parentIds: [] },
      { sourceId: 'Data', name: 'Data', parentIds: [] },
    ]);
    expect(snap.issues).toEqual([]);
  });

  it('uses configured column names, delimiters and header names in any case', async () => {
    const snap = await readCsv(
      { 'people.csv': 'Mail\tName\tDepts\nA@X.com\tAnn\tEng|Ops\n' },
      { delimiter: '\t', groupDelimiter: '|', columns: { email: 'mail', displayName: 'name', groups: 'depts' } },
    );

    expect(snap.people).toEqual([
      { sourceId: 'a@x.com', email: 'A@X.com', displayName: 'Ann', enabled: true, groupIds: ['Eng', 'Ops'] },
    ]);
  });

  it('without an id column the key is the lowercased email; absent enabled column means enabled', async () => {
    const snap = await readCsv({ 'people.csv': 'email,groups\n Ann.Lee@X.com ,Eng\n' });

    expect(snap.people).toEqual([
      {
        sourceId: 'ann.lee@x.com',
        email: 'Ann.Lee@X.com',
        displayName: 'Ann.Lee@X.com',
        enabled: true,
        groupIds: ['Eng'],
      },
    ]);
  });

  it('parses enabled values case-insensitively; an empty cell means enabled', async () => {
    const values = ['true', 'YES', '1', 'Active', 'enabled', '', 'false', 'No', '0', 'INACTIVE', 'disabled'];
    const rows = values.map((v, i) => `${i},u${i}@x.com,U${i},${v},`).join('\n');

    const snap = await readCsv({ 'people.csv': H + rows + '\n' });

    expect(snap.people.map((p) => p.enabled)).toEqual([
      true,
      true,
      true,
      true,
      true,
      true,
      false,
      false,
      false,
      false,
      false,
    ]);
    expect(snap.issues).toEqual([]);
  });

  it('takes given and family names, builds the display name from them when it is empty, and keeps names on one line', async () => {
    const snap = await readCsv({
      'people.csv':
        'id,email,display_name,given_name,family_name,groups\n1,a@x.com,,Ann,Lee,\n2,b@x.com,"Bob\n  Smith",Bob,Smith,\n',
    });

    expect(snap.people).toEqual([
      {
        sourceId: '1',
        email: 'a@x.com',
        displayName: 'Ann Lee',
        givenName: 'Ann',
        familyName: 'Lee',
        enabled: true,
        groupIds: [],
      },
      {
        sourceId: '2',
        email: 'b@x.com',
        displayName: 'Bob Smith',
        givenName: 'Bob',
        familyName: 'Smith',
        enabled: true,
        groupIds: [],
      },
    ]);
  });
});

describe('CSV source: encodings and RFC 4180', () => {
  it('reads a UTF-8 BOM, CRLF line ends and unicode names', async () => {
    const text =
      '\uFEFF' + H.replace('\n', '\r\n') + "1,jose@x.com,José Núñez,true,Eng\r\n2,zoe@x.com,Zoë O'Brien,true,Eng\r\n";

    const snap = await readCsv({ 'people.csv': Buffer.from(text, 'utf8') });

    expect(snap.people.map((p) => [p.sourceId, p.displayName])).toEqual([
      ['1', 'José Núñez'],
      ['2', "Zoë O'Brien"],
    ]);
    expect(snap.issues).toEqual([]);
  });

  it('reads quoted delimiters, doubled quotes and line breaks inside quotes', async () => {
    const snap = await readCsv({
      'people.csv':
        H + '1,a@x.com,"Smith, ""Al"" Jr.",yes,"Eng;Data"\r\n2,b@x.com,"two\r\nlines",1,Eng\n3,"c@x.com",Cy,true,""\n',
    });

    expect(snap.people.map((p) => [p.displayName, p.groupIds])).toEqual([
      ['Smith, "Al" Jr.', ['Eng', 'Data']],
      ['two lines', ['Eng']],
      ['Cy', []],
    ]);
    expect(snap.issues).toEqual([]);
  });

  it('skips blank lines, whitespace-only lines and all-empty rows without counting them as bad', async () => {
    const snap = await readCsv({ 'people.csv': H + '\n1,a@x.com,A,true,Eng\n   \n,,,,\n\n2,b@x.com,B,true,Eng' });

    expect(snap.people.map((p) => p.sourceId)).toEqual(['1', '2']);
    expect(snap.issues).toEqual([]);
  });
});

describe('CSV source: memberships shape', () => {
  const M = 'id,email,display_name,enabled,group\n';

  it('merges one row per membership into people, in first-seen order', async () => {
    const snap = await readCsv(
      {
        'people.csv':
          M +
          '1,a@x.com,Ann,true,Eng\n2,b@x.com,Bob,true,Eng\n1,a@x.com,Ann,true,Data\n1,A@X.COM,Ann,true,Eng\n3,c@x.com,Cy,false,\n',
      },
      { shape: 'memberships' },
    );

    expect(snap.people).toEqual([
      { sourceId: '1', email: 'a@x.com', displayName: 'Ann', enabled: true, groupIds: ['Eng', 'Data'] },
      { sourceId: '2', email: 'b@x.com', displayName: 'Bob', enabled: true, groupIds: ['Eng'] },
      { sourceId: '3', email: 'c@x.com', displayName: 'Cy', enabled: false, groupIds: [] },
    ]);
    expect(snap.groups.map((g) => g.sourceId)).toEqual(['Eng', 'Data']);
    expect(snap.issues).toEqual([]);
  });

  it('without an id column, rows with the same email (any case) are one person', async () => {
    const snap = await readCsv({ 'people.csv': 'email,group\na@x.com,Eng\nA@x.com,Ops\n' }, { shape: 'memberships' });

    expect(snap.people).toEqual([
      { sourceId: 'a@x.com', email: 'a@x.com', displayName: 'a@x.com', enabled: true, groupIds: ['Eng', 'Ops'] },
    ]);
  });
});

describe('CSV source: groups file', () => {
  const G =
    'id,name,parent\ng-eng,Engineering,\ng-plat,Platform,g-eng\ng-data,Data,Engineering\ng-bi,bi-analysts,g-data;g-plat\ng-sales,Sales,\n';

  it('declares groups and nesting; people name groups by id or by name; parents by id or by name', async () => {
    const snap = await readCsv({
      'people.csv': H + '1,a@x.com,Ann,true,g-plat;Sales\n2,b@x.com,Bob,true,bi-analysts\n',
      'groups.csv': G,
    });

    expect(snap.people.map((p) => p.groupIds)).toEqual([['g-plat', 'g-sales'], ['g-bi']]);
    expect(snap.groups).toEqual([
      { sourceId: 'g-eng', name: 'Engineering', parentIds: [] },
      { sourceId: 'g-plat', name: 'Platform', parentIds: ['g-eng'] },
      { sourceId: 'g-data', name: 'Data', parentIds: ['g-eng'] },
      { sourceId: 'g-bi', name: 'bi-analysts', parentIds: ['g-data', 'g-plat'] },
      { sourceId: 'g-sales', name: 'Sales', parentIds: [] },
    ]);
    expect(snap.issues).toEqual([]);
  });

  it('keeps declared groups nobody is in, and reads a groups file without a parent column', async () => {
    const snap = await readCsv({
      'people.csv': H + '1,a@x.com,Ann,true,\n',
      'groups.csv': 'name,id\nEngineering,g-eng\n',
    });

    expect(snap.groups).toEqual([{ sourceId: 'g-eng', name: 'Engineering', parentIds: [] }]);
  });

  it('works with the memberships shape', async () => {
    const snap = await readCsv(
      { 'people.csv': 'email,group\na@x.com,g-plat\na@x.com,Data\n', 'groups.csv': G },
      { shape: 'memberships' },
    );

    expect(snap.people[0]!.groupIds).toEqual(['g-plat', 'g-data']);
  });

  it("one row per (group, parent) edge: a group's rows merge, parents unioned in file order", async () => {
    const edges =
      'id,name,parent\ng-eng,Engineering,\ng-bi,BI,g-eng\ng-plat,Platform,g-eng\ng-bi,BI,g-plat\ng-bi,BI,g-eng\ng-bi,BI,\n';

    const snap = await readCsv({ 'people.csv': H + '1,a@x.com,Ann,true,BI\n', 'groups.csv': edges });

    expect(snap.issues).toEqual([]);
    expect(snap.groups).toEqual([
      { sourceId: 'g-eng', name: 'Engineering', parentIds: [] },
      { sourceId: 'g-bi', name: 'BI', parentIds: ['g-eng', 'g-plat'] },
      { sourceId: 'g-plat', name: 'Platform', parentIds: ['g-eng'] },
    ]);
    expect(snap.people[0]!.groupIds).toEqual(['g-bi']);
  });
});
