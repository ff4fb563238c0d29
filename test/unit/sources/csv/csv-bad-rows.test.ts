import { describe, expect, it } from 'vitest';
import { H, readCsv } from './fixtures.js';

const OK1 = '1,ok1@x.com,Ok One,true,Eng\n';
const OK2 = '2,ok2@x.com,Ok Two,true,Eng\n';

describe('CSV source: each bad row is reported as file:line and skipped, the rows around it are kept', () => {
  const cases: [string, string, string][] = [
    ['missing email', '9,,Ann,true,Eng', 'missing email'],
    ['blank email', '9,  ,Ann,true,Eng', 'missing email'],
    ['invalid email', '9,not-an-email,Ann,true,Eng', 'invalid email "not-an-email"'],
    ['two emails in one cell', '9,"a@x.com;b@x.com",Ann,true,Eng', 'invalid email "a@x.com;b@x.com"'],
    ['an address with a display name', '9,Ann <ann@x.com>,Ann,true,Eng', 'invalid email "Ann <ann@x.com>"'],
    ['missing id (the column exists)', ',ann@x.com,Ann,true,Eng', 'missing id'],
    ['too few columns', '9,ann@x.com,Ann', 'expected 5 columns, found 3'],
    ['too many columns', '9,ann@x.com,Ann,true,Eng,extra', 'expected 5 columns, found 6'],
    ['invalid enabled value', '9,ann@x.com,Ann,maybe,Eng', 'invalid enabled value "maybe"'],
    [
      'text after a closing quote',
      '9,ann@x.com,"Ann"x,true,Eng',
      'malformed quoting (text after a closing quote); row skipped, reading resumes on the next line',
    ],
    [
      'a quote inside an unquoted field',
      '9,ann@x.com,An"n,true,Eng',
      'malformed quoting (a quote inside an unquoted field); row skipped, reading resumes on the next line',
    ],
  ];

  it.each(cases)('%s', async (_name, row, reason) => {
    const snap = await readCsv({ 'people.csv': H + OK1 + row + '\n' + OK2 });

    expect(snap.issues).toEqual([{ where: 'people.csv:3', reason }]);
    expect(snap.people.map((p) => p.sourceId)).toEqual(['1', '2']);
  });

  it('a duplicate email differing only in case: the first row wins', async () => {
    const snap = await readCsv({ 'people.csv': H + OK1 + '3,OK1@X.COM,Other,true,Eng\n' + OK2 });

    expect(snap.issues).toEqual([{ where: 'people.csv:3', reason: 'duplicate email OK1@X.COM (first on line 2)' }]);
    expect(snap.people.map((p) => [p.sourceId, p.displayName])).toEqual([
      ['1', 'Ok One'],
      ['2', 'Ok Two'],
    ]);
  });

  it('a duplicate id: the first row wins', async () => {
    const snap = await readCsv({ 'people.csv': H + OK1 + OK2 + '1,other@x.com,Other,true,Eng\n' });

    expect(snap.issues).toEqual([{ where: 'people.csv:4', reason: 'duplicate id "1" (first on line 2)' }]);
    expect(snap.people.map((p) => p.email)).toEqual(['ok1@x.com', 'ok2@x.com']);
  });

  it('without an id column a repeated email is a duplicate email', async () => {
    const snap = await readCsv({ 'people.csv': 'email,groups\na@x.com,Eng\nA@x.com,Ops\n' });

    expect(snap.issues).toEqual([{ where: 'people.csv:3', reason: 'duplicate email A@x.com (first on line 2)' }]);
  });

  it('an unknown group, only when a groups file is given (one unknown group skips the whole row)', async () => {
    const people = H + '1,a@x.com,A,true,Eng;Nope\n2,b@x.com,B,true,Eng\n';

    const withFile = await readCsv({ 'people.csv': people, 'groups.csv': 'id,name,parent\nEng,Engineering,\n' });
    const without = await readCsv({ 'people.csv': people });

    expect(withFile.issues).toEqual([{ where: 'people.csv:2', reason: 'unknown group "Nope" (not in groups.csv)' }]);
    expect(withFile.people.map((p) => p.sourceId)).toEqual(['2']);
    expect(without.issues).toEqual([]);
    expect(without.people).toHaveLength(2);
  });

  it('a group name two declared groups share must be given by id', async () => {
    const snap = await readCsv({
      'people.csv': H + '1,a@x.com,A,true,Data\n2,b@x.com,B,true,g1\n',
      'groups.csv': 'id,name\ng1,Data\ng2,Data\n',
    });

    expect(snap.issues).toEqual([
      { where: 'people.csv:2', reason: 'group name "Data" is ambiguous (ids g1, g2): use the id' },
    ]);
    expect(snap.people.map((p) => p.groupIds)).toEqual([['g1']]);
  });

  it('memberships shape: person fields that differ between rows of one person', async () => {
    const M = 'id,email,display_name,given_name,enabled,group\n';
    const rows = [
      '1,a@x.com,Ann,Ann,true,Eng',
      '1,a@x.com,Anne,Ann,true,Ops',
      '1,b@x.com,Ann,Ann,true,Ops',
      '1,a@x.com,Ann,Annie,true,Ops',
      '1,a@x.com,Ann,Ann,false,Ops',
      '2,a@x.com,Ann,Ann,true,Ops',
      '1,A@X.com,Ann,Ann,true,Data',
    ];

    const snap = await readCsv({ 'people.csv': M + rows.join('\n') + '\n' }, { shape: 'memberships' });

    expect(snap.issues).toEqual([
      { where: 'people.csv:3', reason: 'display name differs from line 2 for the same person' },
      { where: 'people.csv:4', reason: 'email differs from line 2 for the same person' },
      { where: 'people.csv:5', reason: 'given name differs from line 2 for the same person' },
      { where: 'people.csv:6', reason: 'enabled differs from line 2 for the same person' },
      { where: 'people.csv:7', reason: 'duplicate email a@x.com (first on line 2)' },
    ]);
    expect(snap.people).toEqual([
      {
        sourceId: '1',
        email: 'a@x.com',
        displayName: 'Ann',
        givenName: 'Ann',
        enabled: true,
        groupIds: ['Eng', 'Data'],
      },
    ]);
  });
});

describe('CSV source: line numbers are physical lines', () => {
  it('count the lines of quoted multi-line fields before a bad row (LF and CRLF)', async () => {
    const people = H + '1,a@x.com,"three\nline\nname",true,Eng\n2,b@x.com,"two\r\nlines",true,Eng\n3,bad,B,true,Eng\n';

    const lf = await readCsv({ 'people.csv': people });
    const crlf = await readCsv({ 'people.csv': people.replace(/(?<!\r)\n/g, '\r\n') });

    expect(lf.issues).toEqual([{ where: 'people.csv:7', reason: 'invalid email "bad"' }]);
    expect(crlf.issues).toEqual([{ where: 'people.csv:7', reason: 'invalid email "bad"' }]);
    expect(lf.people.map((p) => p.displayName)).toEqual(['three line name', 'two lines']);
  });

  it('count blank lines, and a bad row that itself spans lines is reported at its first line', async () => {
    const snap = await readCsv({
      'people.csv': H + '\n\n' + OK1 + '3,"x\ny@z.com",A,true,Eng\n4,also-bad,B,true,Eng\n',
    });

    expect(snap.issues).toEqual([
      { where: 'people.csv:5', reason: 'invalid email "x\ny@z.com"' },
      { where: 'people.csv:7', reason: 'invalid email "also-bad"' },
    ]);
  });
});

describe('CSV source: an unclosed quote costs its own row, never the rest of the file', () => {
  it('in the middle: reported at the line it opens on; the rows before and after are kept', async () => {
    const snap = await readCsv({
      'people.csv': H + OK1 + '3,c@x.com,"Cy,true,Eng\n' + OK2 + '4,d@x.com,"Dee, D",true,Eng\n',
    });

    expect(snap.issues).toEqual([
      {
        where: 'people.csv:3',
        reason:
          'unclosed quote (a quoted field opens on this line and does not close on it); row skipped, reading resumes on the next line',
      },
    ]);
    expect(snap.people.map((p) => p.sourceId)).toEqual(['1', '2', '4']);
  });

  it('on the last line without a line end', async () => {
    const snap = await readCsv({ 'people.csv': H + OK1 + '3,c@x.com,"Cy,true,Eng' });

    expect(snap.issues.map((i) => i.where)).toEqual(['people.csv:3']);
    expect(snap.people.map((p) => p.sourceId)).toEqual(['1']);
  });

  it('closed by a stray quote further down: both broken lines are reported and the rows between them kept', async () => {
    const snap = await readCsv({
      'people.csv': H + '3,c@x.com,"Cy,true,Eng\n' + OK1 + OK2 + '5,e@x.com,E"ve,true,Eng\n6,f@x.com,F,true,Eng\n',
    });

    expect(snap.issues.map((i) => [i.where, i.reason.split(';')[0]])).toEqual([
      ['people.csv:2', 'unclosed quote (a quoted field opens on this line and does not close on it)'],
      ['people.csv:5', 'malformed quoting (a quote inside an unquoted field)'],
    ]);
    expect(snap.people.map((p) => p.sourceId)).toEqual(['1', '2', '6']);
  });

  it('a quoted field longer than 20 lines is taken as an unclosed quote that a later quote happened to close', async () => {
    const swallowed = Array.from({ length: 20 }, (_, i) => `${10 + i},u${i}@x.com,U${i},true,Eng`).join('\n');
    const snap = await readCsv({ 'people.csv': H + '3,c@x.com,"Cy\n' + swallowed + '\n30,z@x.com,Zed",true,Eng\n' });

    expect(snap.issues).toEqual([
      {
        where: 'people.csv:2',
        reason:
          'a quoted field spans 22 lines (more than 20): taken as an unclosed quote; row skipped, reading resumes on the next line',
      },
      {
        where: 'people.csv:23',
        reason: 'malformed quoting (a quote inside an unquoted field); row skipped, reading resumes on the next line',
      },
    ]);
    expect(snap.people).toHaveLength(20);
  });

  it('the documented limit: within 20 lines, a quote closed by a stray quote that still parses is one row', async () => {
    const snap = await readCsv({
      'people.csv': H + '3,c@x.com,"Cy,true,Eng\n' + OK1 + '4,d@x.com,Dee",true,Eng\n' + OK2,
    });

    expect(snap.issues).toEqual([]);
    expect(snap.people.map((p) => [p.sourceId, p.email])).toEqual([
      ['3', 'c@x.com'],
      ['2', 'ok2@x.com'],
    ]);
  });

  it('a broken header fails the read instead of taking a data row as the header', async () => {
    await expect(readCsv({ 'people.csv': 'id,"email,groups\n1,a@x.com,Eng\n' })).rejects.toThrow(
      'people.csv:1: the header row cannot be read: unclosed quote',
    );
  });
});

describe('CSV source: groups file bad rows', () => {
  it('are reported as groups.csv:LINE in line order; an unknown parent is dropped and its group kept', async () => {
    const groups =
      'id,name,parent\ng1,One,\ng1,Again,\n,NoId,\ng2,,\ng3,Three,g1;ghost\ng4,Four\ng5,"Fi"ve,\ng6,Six,One\n';

    const snap = await readCsv({ 'people.csv': H + '1,a@x.com,A,true,g3;g6\n', 'groups.csv': groups });

    expect(snap.issues).toEqual([
      { where: 'groups.csv:3', reason: 'name "Again" differs from line 2 ("One") for the same group id "g1"' },
      { where: 'groups.csv:4', reason: 'missing group id' },
      { where: 'groups.csv:5', reason: 'missing group name' },
      { where: 'groups.csv:6', reason: 'parent: unknown group "ghost" (not in groups.csv); parent ignored' },
      { where: 'groups.csv:7', reason: 'expected 3 columns, found 2' },
      {
        where: 'groups.csv:8',
        reason: 'malformed quoting (text after a closing quote); row skipped, reading resumes on the next line',
      },
    ]);
    expect(snap.groups).toEqual([
      { sourceId: 'g1', name: 'One', parentIds: [] },
      { sourceId: 'g3', name: 'Three', parentIds: ['g1'] },
      { sourceId: 'g6', name: 'Six', parentIds: ['g1'] },
    ]);
    expect(snap.people.map((p) => p.groupIds)).toEqual([['g3', 'g6']]);
  });

  it('edge rows of one group: a name conflict is a bad row (its parent dropped), an unknown parent is reported on the row that names it', async () => {
    const groups = 'id,name,parent\ng1,One,\ng2,Two,g1\ng2,Deux,g1\ng3,Three,\ng2,Two,g3\ng2,Two,ghost\n';

    const snap = await readCsv({ 'people.csv': H + '1,a@x.com,A,true,g2\n', 'groups.csv': groups });

    expect(snap.issues).toEqual([
      { where: 'groups.csv:4', reason: 'name "Deux" differs from line 3 ("Two") for the same group id "g2"' },
      { where: 'groups.csv:7', reason: 'parent: unknown group "ghost" (not in groups.csv); parent ignored' },
    ]);
    expect(snap.groups.find((g) => g.sourceId === 'g2')).toEqual({
      sourceId: 'g2',
      name: 'Two',
      parentIds: ['g1', 'g3'],
    });
  });
});
