import { isAlias, isMap, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';

export type KeyPath = readonly (string | number)[];

/** ['profiles', 0, 'source', 'path'] -> "profiles[0].source.path". */
export function formatPath(p: readonly PropertyKey[]): string {
  return p.reduce<string>((s, k) => (typeof k === 'number' ? `${s}[${k}]` : s ? `${s}.${String(k)}` : String(k)), '');
}

export function pathKey(p: KeyPath): string {
  return JSON.stringify(p);
}

/**
 * Line and column (1-based) of the key at `p` in the YAML document, or of the deepest enclosing
 * key that is written in the file (a missing key points at its parent; a key that came through an
 * alias or a merge points at where it is used). Undefined when nothing is known.
 */
export function positionOf(doc: Document, lines: LineCounter, p: KeyPath): { line: number; col: number } | undefined {
  let node: unknown = doc.contents;
  let found: Node | undefined;
  for (const key of p) {
    if (isAlias(node)) break;
    if (isMap(node)) {
      const pair = node.items.find((it) => isScalar(it.key) && String(it.key.value) === String(key));
      if (!pair) break;
      found = (pair.key as Node | null) ?? found;
      node = pair.value;
    } else if (isSeq(node) && typeof key === 'number') {
      node = node.items[key];
      if (!node) break;
      found = node as Node;
    } else break;
  }
  const range = found?.range ?? (doc.contents as Node | null)?.range;
  return range ? lines.linePos(range[0]) : undefined;
}
