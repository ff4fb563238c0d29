import { formatPath, pathKey, type KeyPath } from './key-path.js';

/** Where a config value came from when the file does not hold it: environment variables, or a secret file. */
export type ValueOrigin = { kind: 'env'; names: string[] } | { kind: 'file'; fileKey: KeyPath; file: string };

/** Origins by pathKey of the value's key path (`["profiles",0,"source","clientSecret"]`). */
export type Origins = ReadonlyMap<string, ValueOrigin>;

/**
 * What to fix for a value the far side refused, for a message: the key, and where its value came
 * from when that is not the file itself. `shown` is the key as the message names it
 * (`profiles.hr.source.clientSecret`); `p` is its path in the file. Never the value.
 */
export function whatToFix(origins: Origins | undefined, p: KeyPath, shown = formatPath(p)): string {
  const o = origins?.get(pathKey(p));
  if (!o) return shown;
  if (o.kind === 'file') return `the file ${o.file} (${shown}File)`;
  const vars = o.names.map((n) => `$${n}`).join(', ');
  return `the environment variable${o.names.length > 1 ? 's' : ''} ${vars} (read by ${shown})`;
}
