import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configJsonSchema } from '../../../src/config/json-schema.js';

type Node = { properties?: Record<string, Node>; items?: Node };

/** Dotted key paths of every object property below `node` (arrays by their items). */
function keyPaths(node: Node | undefined, prefix: string): string[] {
  const target = node?.items ?? node;
  return Object.entries(target?.properties ?? {}).flatMap(([k, child]) => [
    `${prefix}${k}`,
    ...keyPaths(child, `${prefix}${k}.`),
  ]);
}

describe('docs/configuration.md', () => {
  it('mentions every key of the config (sources are documented in their own pages)', () => {
    const doc = readFileSync(new URL('../../../docs/configuration.md', import.meta.url), 'utf8');
    const schema = configJsonSchema() as Node;
    const keys = keyPaths(schema, '').filter((k) => !k.startsWith('profiles.source.'));

    const missing = keys.filter((k) => !new RegExp('`[^`\\n]*\\b' + k.split('.').pop()! + '\\b[^`\\n]*`').test(doc));

    expect(keys.length).toBeGreaterThan(40);
    expect(missing).toEqual([]);
  });
});
