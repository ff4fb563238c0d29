/**
 * Stable op keys: the same change gets the same key in every run, so a re-enqueued op is a no-op.
 * Parts are made safe for queue job ids (no ':' in BullMQ 6 ids; '.' separates parts).
 */
export function opKey(kind: string, ...parts: string[]): string {
  return [kind, ...parts.map(safePart)].join('.');
}

function safePart(part: string): string {
  return part.replace(/[^A-Za-z0-9@_+=,-]/g, (c) => `~${c.codePointAt(0)!.toString(16)}~`);
}
