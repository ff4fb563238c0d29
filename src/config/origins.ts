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

/** How messages name the keys under one part of the config (a target: `target`, `targets.eu`). */
export interface KeyNames {
  /** The key as the config spells it: `target.token`, `targets.eu.admin.password`. */
  name(key: KeyPath): string;
  /** What to fix for a value the far side refused: the key, or the variable or secret file its value came from. */
  fix(key: KeyPath): string;
}

/**
 * Key names under `base`. A value inside one that came whole from a secret file (a `orgTokensFile`
 * holding every org's token) is named by that file.
 */
export function keysUnder(origins: Origins | undefined, base: KeyPath): KeyNames {
  const name = (key: KeyPath) => formatPath([...base, ...key]);
  return {
    name,
    fix: (key) => {
      const p = [...base, ...key];
      for (let n = p.length; n > base.length; n--) {
        const q = p.slice(0, n);
        if (origins?.has(pathKey(q))) return whatToFix(origins, q);
      }
      return name(key);
    },
  };
}
