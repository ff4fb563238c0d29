import { z } from 'zod';

/** "90s", "15m", "7d" -> milliseconds. */
export const duration = z
  .union([z.number().int().min(0), z.string().regex(/^\d+(ms|s|m|h|d)$/, 'expected a duration such as 30s, 15m, 7d')])
  .describe('Milliseconds, or a number with a unit: 500ms, 30s, 15m, 12h, 7d.')
  .transform((v) => (typeof v === 'number' ? v : parseDuration(v)));

export function parseDuration(v: string): number {
  const m = /^(\d+)(ms|s|m|h|d)$/.exec(v);
  if (!m) throw new Error(`bad duration ${v}`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 'ms' | 's' | 'm' | 'h' | 'd'];
  return Number(m[1]) * unit;
}
