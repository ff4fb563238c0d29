import { SourceReadError } from '../../errors/index.js';

/** Column lookup on a header row; a missing required column fails the read, naming file and column. */
export function headerIndex(header: string[], file: string): (column: string, required: boolean) => number | undefined {
  const index = new Map(header.map((h, i) => [h.trim(), i]));
  return (column, required) => {
    const i = index.get(column);
    if (i === undefined && required) {
      throw new SourceReadError(`${file}:1: required column "${column}" is missing (header has: ${header.map((h) => h.trim()).join(', ')})`, 'csv', { code: 'SOURCE_BAD_HEADER' });
    }
    return i;
  };
}
