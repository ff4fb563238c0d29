import { utimesSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { SourceReadError } from '../../../../src/errors/index.js';
import { CsvSource } from '../../../../src/sources/csv/index.js';
import { csvSourceSchema } from '../../../../src/sources/csv/schema.js';
import { csvFixture, H, readCsv, readCsvError } from './fixtures.js';

describe('CSV source: too many bad rows fail the read', () => {
  const bad = (n: number) => Array.from({ length: n }, (_, i) => `${i},bad${i},X,true,Eng`).join('\n') + '\n';

  it('more than maxInvalidRows: SOURCE_TOO_MANY_INVALID_ROWS with the count and the first five issues', async () => {
    const err = await readCsvError({ 'people.csv': H + '100,ok@x.com,Ok,true,Eng\n' + bad(7) }, { maxInvalidRows: 6 });

    expect(err).toBeInstanceOf(SourceReadError);
    expect(err.code).toBe('SOURCE_TOO_MANY_INVALID_ROWS');
    expect(err.message).toBe(
      'people.csv: 7 invalid rows, more than maxInvalidRows=6; first: people.csv:3: invalid email "bad0"; people.csv:4: invalid email "bad1"; ' +
        'people.csv:5: invalid email "bad2"; people.csv:6: invalid email "bad3"; people.csv:7: invalid email "bad4"',
    );
  });

  it('exactly maxInvalidRows is still a read; groups file issues count too', async () => {
    const files = { 'people.csv': H + bad(2), 'groups.csv': 'id,name\n,NoId\n' };

    const snap = await readCsv(files, { maxInvalidRows: 3 });
    const err = await readCsvError(files, { maxInvalidRows: 2 });

    expect(snap.issues.map((i) => i.where)).toEqual(['groups.csv:2', 'people.csv:2', 'people.csv:3']);
    expect(err.code).toBe('SOURCE_TOO_MANY_INVALID_ROWS');
    expect(err.message).toMatch(
      /^people\.csv: 3 invalid rows, more than maxInvalidRows=2; first: groups\.csv:2: missing group id;/,
    );
  });

  it('maxInvalidRows 0 refuses any bad row', async () => {
    const err = await readCsvError({ 'people.csv': H + bad(1) }, { maxInvalidRows: 0 });

    expect(err.code).toBe('SOURCE_TOO_MANY_INVALID_ROWS');
  });
});

describe('CSV source: headers', () => {
  it('a missing required people column fails the read naming file and column', async () => {
    const err = await readCsvError({ 'people.csv': 'id,mail,groups\n1,a@x.com,Eng\n' });

    expect(err).toBeInstanceOf(SourceReadError);
    expect(err.code).toBe('SOURCE_BAD_HEADER');
    expect(err.message).toBe('people.csv:1: required column "email" is missing (header has: id, mail, groups)');
  });

  it('the memberships shape needs the group column, not groups', async () => {
    const err = await readCsvError({ 'people.csv': H + '1,a@x.com,A,true,Eng\n' }, { shape: 'memberships' });

    expect(err.message).toMatch(/^people\.csv:1: required column "group" is missing/);
  });

  it('a missing groups file column fails the read naming the groups file', async () => {
    const err = await readCsvError({ 'people.csv': H, 'groups.csv': 'id,title,parent\ng1,One,\n' });

    expect(err.message).toBe('groups.csv:1: required column "name" is missing (header has: id, title, parent)');
  });

  it('a used column named twice fails the read; case only matters when no exact name exists', async () => {
    const twice = await readCsvError({ 'people.csv': 'id,email,email,groups\n1,a@x.com,b@x.com,Eng\n' });
    const twiceIgnoringCase = await readCsvError({ 'people.csv': 'id,EMAIL,Email,groups\n1,a@x.com,b@x.com,Eng\n' });
    const exactWins = await readCsv({ 'people.csv': 'id,email,Email,groups\n1,a@x.com,b@x.com,Eng\n' });

    expect(twice.message).toMatch(/^people\.csv:1: column "email" appears 2 times/);
    expect(twiceIgnoringCase.message).toMatch(/^people\.csv:1: column "email" appears 2 times/);
    expect(exactWins.people.map((p) => p.email)).toEqual(['a@x.com']);
  });

  it('an empty file fails the read', async () => {
    const err = await readCsvError({ 'people.csv': '' });

    expect(err.message).toBe('people.csv: the file is empty (no header row)');
  });
});

describe('CSV source: files', () => {
  it('a missing people file fails read and check, naming the file', async () => {
    const { source, dir } = csvFixture({});

    await expect(source.read({ mode: 'full' })).rejects.toThrow(`${join(dir, 'people.csv')}: cannot read (ENOENT)`);
    await expect(source.check()).rejects.toThrow(`${join(dir, 'people.csv')}: cannot read (ENOENT)`);
  });

  it('a missing groups file fails the read, naming it', async () => {
    const { source, dir } = csvFixture({ 'people.csv': H }, { groupsFile: { path: 'teams.csv' } });

    const err = await source.read({ mode: 'full' }).catch((e: unknown) => e as SourceReadError);

    expect(err).toBeInstanceOf(SourceReadError);
    expect((err as SourceReadError).message).toBe(`${join(dir, 'teams.csv')}: cannot read (ENOENT)`);
  });

  it('an unreadable file (a directory here) fails the read', async () => {
    const { source } = csvFixture({}, { path: '.' });

    await expect(source.read({ mode: 'full' })).rejects.toThrow(/: cannot read \(EISDIR\)$/);
  });

  it('check() passes on good files and fails on a header without the needed columns', async () => {
    const good = csvFixture({ 'people.csv': H, 'groups.csv': 'id,name\n' }).source;
    const badPeople = csvFixture({ 'people.csv': 'id,groups\n' }).source;
    const badGroups = csvFixture({ 'people.csv': H, 'groups.csv': 'id\n' }).source;

    await expect(good.check()).resolves.toBeUndefined();
    await expect(badPeople.check()).rejects.toThrow('people.csv:1: required column "email" is missing');
    await expect(badGroups.check()).rejects.toThrow('groups.csv:1: required column "name" is missing');
  });

  it('a file changed while it is read fails the read', async () => {
    const { dir } = csvFixture({ 'people.csv': H + '1,a@x.com,A,true,g1\n', 'groups.csv': 'id,name\ng1,One\n' });
    // The groups file is read first; its log line is the moment to touch the people file.
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        if (chunk.toString().includes('csv groups file read'))
          utimesSync(join(dir, 'people.csv'), new Date(), new Date(Date.now() + 60_000));
        done();
      },
    });
    const config = csvSourceSchema.parse({ kind: 'csv', path: 'people.csv', groupsFile: { path: 'groups.csv' } });
    const source = new CsvSource(config, { log: pino({ level: 'debug' }, sink), baseDir: dir, profile: 'test' });

    const err = await source.read({ mode: 'full' }).catch((e: unknown) => e as SourceReadError);

    expect((err as SourceReadError).code).toBe('SOURCE_CHANGED_DURING_READ');
    expect((err as SourceReadError).message).toMatch(
      new RegExp(`^${join(dir, 'people.csv')}: the file changed while it was read`),
    );
  });

  it('an aborted read fails with SOURCE_ABORTED', async () => {
    const { source } = csvFixture({ 'people.csv': H + '1,a@x.com,A,true,Eng\n' });

    const err = await source
      .read({ mode: 'full', signal: AbortSignal.abort() })
      .catch((e: unknown) => e as SourceReadError);

    expect((err as SourceReadError).code).toBe('SOURCE_ABORTED');
  });
});
