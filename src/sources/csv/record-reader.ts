import { createReadStream } from 'node:fs';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CsvError, parse } from 'csv-parse';
import { LineTracker, scanLine } from './line-tracker.js';

/** One record with the physical line it starts on (header = line 1), or a record that could not be read. */
export type RawRecord = { line: number; fields: string[]; lines: number } | { line: number; error: string };

/** Return 'stop' to end the read early (e.g. after the header). */
export type RecordHandler = (record: RawRecord) => void | 'stop';

export interface RecordReaderOptions {
  delimiter: string;
  /**
   * A record may span this many physical lines (quoted line breaks). A longer one is taken as a
   * quote that never closed where it should have: reported, and reading resumes on its next line.
   * @defaultValue 20
   */
  maxRecordLines?: number;
  signal?: AbortSignal;
}

class Stop extends Error {}

class Broken extends Error {
  constructor(
    readonly line: number,
    readonly offset: number,
    reason: string,
  ) {
    super(reason);
  }
}

type Segment =
  { kind: 'done' } | { kind: 'broken'; line: number; offset: number; reason: string; code?: CsvError['code'] };

/**
 * Streams a CSV file through csv-parse (RFC 4180, BOM, CRLF or LF) and hands each record to
 * `onRecord` with the line it starts on. Blank lines and all-empty rows are skipped.
 *
 * A quoting error (an unclosed quote, text after a closing quote, a quote inside an unquoted field)
 * makes csv-parse stop. The broken record is reported at the line it starts on and reading resumes
 * on the line after that with a fresh parser, so one broken row costs one row: the valid rows before
 * it are kept and the rows after it are read, never swallowed into the broken field.
 */
export async function readRecords(path: string, opts: RecordReaderOptions, onRecord: RecordHandler): Promise<void> {
  let start = 0;
  let line = 1;
  for (;;) {
    const seg = await readSegment(path, start, line, opts, onRecord);
    if (seg.kind === 'done') return;
    const { next, quotes } = await scanLine(path, seg.offset);
    // A quote opened on the record's first line that does not close there ran on into later lines.
    const unclosed =
      (seg.code === 'CSV_QUOTE_NOT_CLOSED' || seg.code === 'CSV_INVALID_CLOSING_QUOTE') && quotes % 2 === 1;
    if (
      onRecord({
        line: seg.line,
        error: unclosed
          ? `unclosed quote (a quoted field opens on this line and does not close on it); ${RESUME}`
          : seg.reason,
      }) === 'stop'
    )
      return;
    if (next === undefined) return;
    start = next;
    line = seg.line + 1;
  }
}

async function readSegment(
  path: string,
  start: number,
  firstLine: number,
  opts: RecordReaderOptions,
  onRecord: RecordHandler,
): Promise<Segment> {
  const maxLines = opts.maxRecordLines ?? 20;
  const tracker = new LineTracker(start, firstLine);
  let recordStart = start;
  const parser = parse({
    delimiter: opts.delimiter,
    bom: start === 0,
    // Both line ends in one file (concatenated exports); a lone CR stays field content.
    record_delimiter: ['\r\n', '\n'],
    relax_column_count: true,
    on_record: (fields: string[], ctx) => {
      const from = recordStart;
      const end = start + ctx.bytes;
      recordStart = end;
      const line = tracker.lineAt(from);
      if (fields.every((f) => f.trim() === '')) return null;
      // Line feeds before the record's last byte: the terminator itself is not a spanned line.
      const lines = 1 + tracker.feedsBefore(end - 1);
      if (lines > maxLines)
        throw new Broken(
          line,
          from,
          `a quoted field spans ${lines} lines (more than ${maxLines}): taken as an unclosed quote; ${RESUME}`,
        );
      if (onRecord({ line, fields, lines }) === 'stop') throw new Stop();
      return null;
    },
  });
  // Records are consumed in on_record; the sink only drains the (empty) readable side.
  const sink = new Writable({ objectMode: true, write: (_r, _e, done) => done() });
  try {
    await pipeline(
      createReadStream(path, { start }),
      tracker,
      parser,
      sink,
      ...(opts.signal ? [{ signal: opts.signal }] : []),
    );
    return { kind: 'done' };
  } catch (err) {
    if (err instanceof Stop) return { kind: 'done' };
    if (err instanceof Broken) return { kind: 'broken', line: err.line, offset: err.offset, reason: err.message };
    if (err instanceof CsvError)
      return {
        kind: 'broken',
        line: tracker.lineAt(recordStart),
        offset: recordStart,
        reason: quotingReason(err),
        code: err.code,
      };
    throw err;
  }
}

const RESUME = 'row skipped, reading resumes on the next line';

function quotingReason(err: CsvError): string {
  switch (err.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return `unclosed quote; ${RESUME}`;
    case 'CSV_INVALID_CLOSING_QUOTE':
    case 'CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE':
      return `malformed quoting (text after a closing quote); ${RESUME}`;
    case 'INVALID_OPENING_QUOTE':
      return `malformed quoting (a quote inside an unquoted field); ${RESUME}`;
    default:
      return `malformed CSV (${err.code}); ${RESUME}`;
  }
}
