import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { parse } from 'csv-parse/sync';

export type RawRecord = { line: number; fields: string[] } | { line: number; error: string };

export interface RecordReaderOptions {
  delimiter: string;
  /** A quoted field may span this many lines; past it the quote is taken as unclosed. @defaultValue 50 */
  maxRecordLines?: number;
  /** Records parsed per csv-parse call on the fast path. @defaultValue 500 */
  chunk?: number;
}

interface Logical {
  line: number;
  text: string;
}

/**
 * Streams a CSV file as records with the physical line each starts on (header = line 1).
 * Lines are first grouped into quote-balanced records, so one broken quote costs one row, not the
 * rest of the file: an unclosed quote is reported at its line and reading resumes on the next line.
 * Records are then parsed by csv-parse in chunks (RFC 4180), falling back to one record at a time
 * only for a chunk that holds a malformed record, to name it.
 */
export async function* readRecords(path: string, opts: RecordReaderOptions): AsyncGenerator<RawRecord> {
  const maxLines = opts.maxRecordLines ?? 50;
  const chunkSize = opts.chunk ?? 500;
  const rl = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  let lineNo = 0;
  let pending: { line: number; parts: string[]; quotes: number } | undefined;
  let batch: Logical[] = [];
  const out: RawRecord[] = [];

  const flushBatch = () => {
    if (batch.length > 0) out.push(...parseBatch(batch, opts.delimiter));
    batch = [];
  };
  const feed = (text: string, line: number): void => {
    if (pending) {
      pending.parts.push(text);
      pending.quotes += countQuotes(text);
      if (pending.quotes % 2 === 0) {
        batch.push({ line: pending.line, text: pending.parts.join('\n') });
        pending = undefined;
      } else if (pending.parts.length >= maxLines) {
        reopen();
      }
      return;
    }
    if (text.trim() === '') return;
    const quotes = countQuotes(text);
    if (quotes % 2 === 0) batch.push({ line, text });
    else pending = { line, parts: [text], quotes };
  };
  /** The pending record never closed its quote: report its first line, re-read the lines after it. */
  const reopen = (): void => {
    const broken = pending!;
    pending = undefined;
    flushBatch();
    out.push({ line: broken.line, error: `unclosed quote (no closing " within ${broken.parts.length} line(s)); row skipped, reading resumes on the next line` });
    broken.parts.slice(1).forEach((t, i) => feed(t, broken.line + 1 + i));
  };

  for await (const raw of rl) {
    lineNo += 1;
    feed(lineNo === 1 ? raw.replace(/^\uFEFF/, '') : raw, lineNo);
    if (batch.length >= chunkSize) flushBatch();
    while (out.length > 0) yield out.shift()!;
  }
  while (pending) reopen();
  flushBatch();
  yield* out;
}

function countQuotes(s: string): number {
  let n = 0;
  for (let i = s.indexOf('"'); i !== -1; i = s.indexOf('"', i + 1)) n++;
  return n;
}

function parseBatch(batch: Logical[], delimiter: string): RawRecord[] {
  try {
    const rows = parse(batch.map((b) => b.text).join('\n'), { delimiter, relax_column_count: true, record_delimiter: '\n' }) as string[][];
    if (rows.length === batch.length) return rows.map((fields, i) => ({ line: batch[i]!.line, fields }));
  } catch {
    // A malformed record in this chunk: parse one by one to name it.
  }
  return batch.map((b) => {
    try {
      const rows = parse(b.text, { delimiter, relax_column_count: true, record_delimiter: '\n' }) as string[][];
      if (rows.length !== 1) return { line: b.line, error: 'malformed quoting' };
      return { line: b.line, fields: rows[0]! };
    } catch (err) {
      return { line: b.line, error: `malformed quoting (${(err as { code?: string }).code ?? 'CSV error'})` };
    }
  });
}
