import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { csvSourceSchema, type CsvSourceConfig } from '../../../../src/sources/csv/schema.js';
import { CsvSource } from '../../../../src/sources/csv/index.js';
import { SourceReadError } from '../../../../src/errors/index.js';
import { silentLogger } from '../../../../src/log/logger.js';

const dir = mkdtempSync(join(tmpdir(), 'rostersync-csv-'));
let n = 0;
function source(people: string, over: Partial<CsvSourceConfig> & { groups?: string } = {}) {
  const id = ++n;
  writeFileSync(join(dir, `people${id}.csv`), people);
  const { groups, ...rest } = over;
  if (groups !== undefined) writeFileSync(join(dir, `groups${id}.csv`), groups);
  const config = csvSourceSchema.parse({
    kind: 'csv', path: `people${id}.csv`, ...(groups !== undefined ? { groupsFile: { path: `groups${id}.csv` } } : {}), ...rest,
  });
  return new CsvSource(config, { log: silentLogger, baseDir: dir, profile: 't' });
}
const read = (s: CsvSource) => s.read({ mode: 'full' }).then((r) => r.snapshot);
const H = 'id,email,display_name,enabled,groups\n';

describe('CsvSource: good input', () => {
  it('reads one row per person with a delimited groups column', async () => {
    const snap = await read(source(H + '1,a@x.com,Ann,true,Eng;Data\n2,b@x.com,Bob,false,\n'));
    expect(snap.people).toEqual([
      { sourceId: '1', email: 'a@x.com', displayName: 'Ann', enabled: true, groupIds: ['Eng', 'Data'] },
      { sourceId: '2', email: 'b@x.com', displayName: 'Bob', enabled: false, groupIds: [] },
    ]);
    expect(snap.groups.map((g) => g.name).sort()).toEqual(['Data', 'Eng']);
    expect(snap.issues).toEqual([]);
  });

  it('handles a UTF-8 BOM, CRLF and RFC 4180 quoting', async () => {
    const snap = await read(source('\uFEFF' + H.replace('\n', '\r\n') + '1,a@x.com,"Smith, ""Al""",yes,"Eng;Data"\r\n2,b@x.com,"two\r\nlines",1,Eng\r\n'));
    expect(snap.people.map((p) => p.displayName)).toEqual(['Smith, "Al"', 'two\nlines']);
    expect(snap.issues).toEqual([]);
  });

  it('merges one row per membership into people', async () => {
    const snap = await read(source('id,email,display_name,group\n1,a@x.com,Ann,Eng\n1,a@x.com,Ann,Data\n2,b@x.com,Bob,Eng\n', { shape: 'memberships' }));
    expect(snap.people.map((p) => [p.sourceId, p.groupIds])).toEqual([['1', ['Eng', 'Data']], ['2', ['Eng']]]);
  });

  it('uses configurable column names and falls back to the email as key', async () => {
    const snap = await read(source('mail,name,depts\nA@X.com,Ann,Eng|Ops\n', { columns: { email: 'mail', displayName: 'name', groups: 'depts' } as CsvSourceConfig['columns'], groupDelimiter: '|' }));
    expect(snap.people[0]).toMatchObject({ sourceId: 'a@x.com', email: 'A@X.com', groupIds: ['Eng', 'Ops'] });
  });

  it('reads nesting from the groups file, by id or by name', async () => {
    const snap = await read(source(H + '1,a@x.com,Ann,true,g-plat;Sales\n', { groups: 'id,name,parent\ng-eng,Engineering,\ng-plat,Platform,g-eng\ng-sales,Sales,\n' }));
    expect(snap.people[0]!.groupIds).toEqual(['g-plat', 'g-sales']);
    expect(snap.groups).toContainEqual({ sourceId: 'g-plat', name: 'Platform', parentIds: ['g-eng'] });
  });

  it('reads the bundled sample directory without issues', async () => {
    const config = csvSourceSchema.parse({ kind: 'csv', path: 'sample/people.csv', groupsFile: { path: 'sample/groups.csv' } });
    const s = new CsvSource(config, { log: silentLogger, baseDir: new URL('../../../../config', import.meta.url).pathname, profile: 'hr' });
    const snap = (await s.read({ mode: 'full' })).snapshot;
    expect(snap.issues).toEqual([]);
    expect(snap.people).toHaveLength(60);
    expect(snap.groups).toHaveLength(10);
    expect(snap.people.filter((p) => !p.enabled)).toHaveLength(3);
    expect(snap.people.filter((p) => p.groupIds.length === 0).length).toBeGreaterThanOrEqual(3);
    expect(snap.people.map((p) => p.displayName)).toContain('Smith, Jr., Robert');
  });
});

describe('CsvSource: bad rows are reported as file:line and skipped', () => {
  const cases: [string, string, RegExp][] = [
    ['missing email', '1,,Ann,true,Eng', /missing email/],
    ['invalid email', '1,not-an-email,Ann,true,Eng', /invalid email "not-an-email"/],
    ['wrong column count', '1,a@x.com,Ann', /expected 5 columns, found 3/],
    ['invalid enabled value', '1,a@x.com,Ann,maybe,Eng', /invalid enabled value "maybe"/],
    ['malformed quoting', '1,a@x.com,"Ann"x,true,Eng', /malformed quoting/],
  ];
  it.each(cases)('%s', async (_name, row, reason) => {
    const file = `people${n + 1}.csv`;
    const snap = await read(source(H + '9,ok@x.com,Ok,true,Eng\n' + row + '\n10,ok2@x.com,Ok2,true,Eng\n'));
    expect(snap.issues).toHaveLength(1);
    expect(snap.issues[0]!.where).toBe(`${file}:3`);
    expect(snap.issues[0]!.reason).toMatch(reason);
    expect(snap.people.map((p) => p.email)).toEqual(['ok@x.com', 'ok2@x.com']);
  });

  it('a duplicate email differing only in case: the first wins', async () => {
    const file = `people${n + 1}.csv`;
    const snap = await read(source(H + '1,a@x.com,A,true,Eng\n2,A@X.COM,B,true,Eng\n'));
    expect(snap.issues).toEqual([{ where: `${file}:3`, reason: 'duplicate email A@X.COM (first on line 2)' }]);
    expect(snap.people.map((p) => p.sourceId)).toEqual(['1']);
  });

  it('a duplicate id', async () => {
    const snap = await read(source(H + '1,a@x.com,A,true,Eng\n1,b@x.com,B,true,Eng\n'));
    expect(snap.issues[0]!.reason).toBe('duplicate id "1" (first on line 2)');
  });

  it('an unknown group when a groups file is given', async () => {
    const file = `people${n + 1}.csv`;
    const snap = await read(source(H + '1,a@x.com,A,true,Eng;Nope\n2,b@x.com,B,true,Eng\n', { groups: 'id,name,parent\nEng,Engineering,\n' }));
    expect(snap.issues).toEqual([{ where: `${file}:2`, reason: 'unknown group "Nope" (not in the groups file)' }]);
    expect(snap.people.map((p) => p.sourceId)).toEqual(['2']);
  });

  it('line numbers count the lines of quoted multi-line fields before the bad row', async () => {
    const file = `people${n + 1}.csv`;
    const snap = await read(source(H + '1,a@x.com,"three\nline\nname",true,Eng\n2,bad,B,true,Eng\n'));
    expect(snap.issues).toEqual([{ where: `${file}:5`, reason: 'invalid email "bad"' }]);
  });

  it('an unclosed quote costs its row only: reading resumes on the next line', async () => {
    const file = `people${n + 1}.csv`;
    const snap = await read(source(H + '1,a@x.com,"Ann,true,Eng\n2,b@x.com,Bob,true,Eng\n3,c@x.com,Cy,true,Eng\n'));
    expect(snap.issues).toHaveLength(1);
    expect(snap.issues[0]!.where).toBe(`${file}:2`);
    expect(snap.issues[0]!.reason).toMatch(/unclosed quote/);
    expect(snap.people.map((p) => p.sourceId)).toEqual(['2', '3']);
  });

  it('conflicting person fields between membership rows', async () => {
    const snap = await read(source('id,email,display_name,group\n1,a@x.com,Ann,Eng\n1,a@x.com,Anne,Data\n', { shape: 'memberships' }));
    expect(snap.issues[0]!.reason).toBe('display name differs from line 2 for the same person');
  });
});

describe('CsvSource: failed reads', () => {
  it('more bad rows than maxInvalidRows fails the read', async () => {
    const rows = Array.from({ length: 4 }, (_, i) => `${i},bad${i},X,true,Eng`).join('\n');
    const err = await read(source(H + rows + '\n', { maxInvalidRows: 3 })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceReadError);
    expect((err as SourceReadError).code).toBe('SOURCE_TOO_MANY_INVALID_ROWS');
    expect((err as Error).message).toMatch(/4 invalid rows exceed maxInvalidRows=3 \(first: people\d+\.csv:2: invalid email "bad0"/);
  });

  it('a missing required column fails the read, naming file and column', async () => {
    const err = await read(source('id,mail,groups\n1,a@x.com,Eng\n')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceReadError);
    expect((err as Error).message).toMatch(/people\d+\.csv:1: required column "email" is missing/);
  });

  it('a missing file fails the read, naming the file', async () => {
    const config = csvSourceSchema.parse({ kind: 'csv', path: 'nope.csv' });
    const s = new CsvSource(config, { log: silentLogger, baseDir: dir, profile: 't' });
    await expect(s.read({ mode: 'full' })).rejects.toThrow(/nope\.csv: cannot read \(ENOENT\)/);
    await expect(s.check()).rejects.toBeInstanceOf(SourceReadError);
  });

  it('an empty file fails the read', async () => {
    await expect(read(source(''))).rejects.toThrow(/empty \(no header\)/);
  });
});

describe('CsvSource: scale', () => {
  it('parses 50,000 rows with every person and membership', async () => {
    const rows = Array.from({ length: 50_000 }, (_, i) => `${i},user${i}@example.com,"User, ${i}",true,g${i % 300};g${(i * 7) % 300}`);
    const snap = await read(source(H + rows.join('\n') + '\n'));
    expect(snap.people).toHaveLength(50_000);
    expect(snap.groups).toHaveLength(300);
    expect(snap.issues).toEqual([]);
  });
});
