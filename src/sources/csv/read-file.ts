import { SourceReadError } from '../../errors/index.js';
import { readRecords, type RecordHandler, type RecordReaderOptions } from './record-reader.js';

/** readRecords with file-level failures (missing, unreadable, aborted) as SourceReadError naming the file. */
export async function readFileRecords(path: string, opts: RecordReaderOptions, onRecord: RecordHandler): Promise<void> {
  try {
    await readRecords(path, opts, onRecord);
  } catch (err) {
    if (err instanceof SourceReadError) throw err;
    if ((err as Error).name === 'AbortError')
      throw new SourceReadError(`${path}: read aborted`, 'csv', { cause: err, code: 'SOURCE_ABORTED' });
    const code = (err as NodeJS.ErrnoException).code;
    throw new SourceReadError(`${path}: cannot read (${code ?? (err as Error).message})`, 'csv', { cause: err });
  }
}

/** A record before the header could be read: the header itself is broken. */
export function brokenHeader(file: string, line: number, reason: string): SourceReadError {
  return new SourceReadError(`${file}:${line}: the header row cannot be read: ${reason}`, 'csv', {
    code: 'SOURCE_BAD_HEADER',
  });
}

export function emptyFile(file: string): SourceReadError {
  return new SourceReadError(`${file}: the file is empty (no header row)`, 'csv', { code: 'SOURCE_BAD_HEADER' });
}

/** Splits a delimited cell (groups, parents): trimmed, empty parts dropped. */
export function split(value: string, delimiter: string): string[] {
  return value
    .split(delimiter)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}
