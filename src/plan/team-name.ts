import { createHash } from 'node:crypto';

/**
 * A container name the target accepts: a name over the target's limit is cut and given a stable
 * suffix, "~" and the first 8 hex digits of the SHA-256 of the whole name, so the same long name
 * gives the same short name every run, and two long names that share their first characters stay
 * apart. The cut never splits a character (a surrogate pair), and trailing spaces before the suffix
 * are dropped (targets trim names).
 */
export function fitName(name: string, max: number | undefined): string {
  if (max === undefined || name.length <= max) return name;
  const suffix = `~${createHash('sha256').update(name).digest('hex').slice(0, 8)}`;
  if (max <= suffix.length) return suffix.slice(0, max);
  let out = '';
  for (const ch of name) {
    if (out.length + ch.length + suffix.length > max) break;
    out += ch;
  }
  return `${out.trimEnd()}${suffix}`;
}
