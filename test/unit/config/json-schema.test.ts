import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configJsonSchema } from '../../../src/config/json-schema.js';
import { SECRET_KEYS } from '../../../src/config/load-config.js';

type JsonSchema = { properties?: Record<string, JsonSchema>; required?: string[]; [k: string]: unknown };

/** Every object schema in the tree (properties, items, unions, definitions). */
function objects(node: unknown, out: JsonSchema[] = []): JsonSchema[] {
  if (Array.isArray(node)) node.forEach((n) => objects(n, out));
  else if (node && typeof node === 'object') {
    if ('properties' in node) out.push(node as JsonSchema);
    Object.values(node).forEach((n) => objects(n, out));
  }
  return out;
}

describe('JSON Schema', () => {
  it('config/schema.json is up to date with the zod schema (run npm run schema)', () => {
    const committed: unknown = JSON.parse(
      readFileSync(new URL('../../../config/schema.json', import.meta.url), 'utf8'),
    );

    expect(committed).toEqual(JSON.parse(JSON.stringify(configJsonSchema())));
  });

  it('describes the input: keys with defaults are optional, unknown keys are refused', () => {
    const schema = configJsonSchema() as JsonSchema;

    // `target` or `targets`: the schema's refinement requires one of them.
    expect(schema.required).toEqual(['profiles']);
    expect(schema.additionalProperties).toBe(false);
    expect(schema.properties!.policy!.required ?? []).toEqual([]);
  });

  it('every <key>/<key>File pair in the schema is a secret the loader reads and redacts', () => {
    const pairs = objects(configJsonSchema()).flatMap((o) =>
      Object.keys(o.properties!)
        .filter((k) => k.endsWith('File') && o.properties![k.slice(0, -4)])
        .map((k) => k.slice(0, -4)),
    );

    expect(pairs.length).toBeGreaterThanOrEqual(4);
    for (const key of pairs) expect(SECRET_KEYS, key).toContain(key);
  });
});
