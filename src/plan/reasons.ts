/**
 * The reasons of several folded ops as one: each distinct reason once, in first-seen order, with
 * how many ops gave it (`reason (x3)`), the first `max` of them, then `…` when there are more.
 */
export function joinReasons(reasons: readonly string[], max = 3): string {
  const counts = new Map<string, number>();
  for (const r of reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
  const shown = [...counts].slice(0, max).map(([r, n]) => (n > 1 ? `${r} (x${n})` : r));
  return [...shown, ...(counts.size > max ? ['…'] : [])].join('; ');
}
