import { parseArgs, type ParseArgsConfig } from 'node:util';
import { RostersyncError } from '../errors/index.js';

/** Wrong command line: exit 64 with the usage text. */
export class UsageError extends RostersyncError {
  constructor(message: string) {
    super('USAGE', message);
  }
}

export function parse<O extends NonNullable<ParseArgsConfig['options']>>(
  argv: string[],
  options: O,
  allowPositionals = false,
) {
  try {
    return parseArgs({
      args: argv,
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      allowPositionals,
      strict: true,
    });
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
}

export function intOption(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new UsageError(`${name} expects a whole number, got "${value}"`);
  return Number(value);
}

/** `{ [key]: N }` for an integer option that was given, `{}` otherwise (spread into a request). */
export function optionalInt<K extends string>(
  key: K,
  value: string | undefined,
  name: string,
): Partial<Record<K, number>> {
  const n = intOption(value, name);
  return n === undefined ? {} : ({ [key]: n } as Record<K, number>);
}

/** The safety overrides `plan` and `backfill` take: `--allow-deletes N` and the like. */
export const ALLOW_OPTIONS = {
  'allow-deletes': { type: 'string' },
  'allow-role-losses': { type: 'string' },
  'allow-removals': { type: 'string' },
  'allow-grant-removals': { type: 'string' },
} as const;

/** The overrides given, as the sync request's fields (`{}` for none). */
export function allowancesOf(values: Partial<Record<keyof typeof ALLOW_OPTIONS, string | undefined>>): {
  allowDeletes?: number;
  allowRoleLosses?: number;
  allowRemovals?: number;
  allowGrantRemovals?: number;
} {
  return {
    ...optionalInt('allowDeletes', values['allow-deletes'], '--allow-deletes'),
    ...optionalInt('allowRoleLosses', values['allow-role-losses'], '--allow-role-losses'),
    ...optionalInt('allowRemovals', values['allow-removals'], '--allow-removals'),
    ...optionalInt('allowGrantRemovals', values['allow-grant-removals'], '--allow-grant-removals'),
  };
}
