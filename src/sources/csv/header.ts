import { SourceReadError } from '../../errors/index.js';

export type ColumnLookup = {
  /** `why`: what asks for a required column, said in the message (e.g. "listed in source.attributes"). */
  (column: string, required: true, why?: string): number;
  (column: string, required: false): number | undefined;
};

/**
 * Column lookup on a header row: an exact name first, else the one name equal ignoring case.
 * A required column that is missing, or a column named twice, fails the read naming file and column.
 */
export function headerIndex(header: string[], file: string): ColumnLookup {
  const names = header.map((h) => h.trim());
  const fail = (what: string) => {
    throw new SourceReadError(`${file}:1: ${what} (header has: ${names.join(', ')})`, 'csv', {
      code: 'SOURCE_BAD_HEADER',
    });
  };
  const find = (column: string, required: boolean, why?: string): number | undefined => {
    let at = names.flatMap((n, i) => (n === column ? [i] : []));
    if (at.length === 0) at = names.flatMap((n, i) => (n.toLowerCase() === column.toLowerCase() ? [i] : []));
    if (at.length > 1) fail(`column "${column}" appears ${at.length} times`);
    if (at.length === 0 && required)
      fail(why ? `column "${column}" (${why}) is missing` : `required column "${column}" is missing`);
    return at[0];
  };
  return find as ColumnLookup;
}
