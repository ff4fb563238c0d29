/**
 * A DN's comparison key: RDNs split on unescaped separators, values unescaped (RFC 4514 allows both
 * `\,` and `\2C`, and servers differ), case and spaces around separators ignored. RDNs are joined
 * with NUL, which cannot occur in a DN value.
 */
export function dnKey(dn: string): string {
  return rdnKeys(dn).join('\u0000');
}

function rdnKeys(dn: string): string[] {
  const parts: string[] = [];
  let cur: number[] = [];
  const flush = () => {
    parts.push(
      Buffer.from(cur)
        .toString('utf8')
        .trim()
        .toLowerCase()
        .replace(/\s*=\s*/, '='),
    );
    cur = [];
  };
  const bytes = Buffer.from(dn, 'utf8');
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b === 0x5c && i + 1 < bytes.length) {
      const hex = bytes.subarray(i + 1, i + 3).toString('latin1');
      if (/^[0-9a-fA-F]{2}$/.test(hex)) {
        cur.push(parseInt(hex, 16));
        i += 2;
      } else {
        cur.push(bytes[++i]!);
      }
      continue;
    }
    if (b === 0x2c || b === 0x3b || b === 0x2b) {
      flush();
      continue;
    }
    cur.push(b);
  }
  flush();
  return parts;
}

/** Whether `dn` lies within a search of `base` with `scope`. */
export function dnInScope(dn: string, base: string, scope: 'base' | 'one' | 'sub'): boolean {
  const d = rdnKeys(dn);
  const b = rdnKeys(base);
  const depth = d.length - b.length;
  if (depth < 0 || d.slice(depth).join('\u0000') !== b.join('\u0000')) return false;
  return scope === 'base' ? depth === 0 : scope === 'one' ? depth === 1 : true;
}
