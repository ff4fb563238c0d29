import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseDocument, stringify } from 'yaml';
import { loadConfig } from '../../../src/config/load-config.js';
import { SECRET_KEYS } from '../../../src/config/secrets.js';
import { scratch } from './helpers.js';

/**
 * Every YAML example a reader may copy loads as config: each ```yaml block of docs/*.md and each
 * config/**\/*.yaml. The rule, by the block's top-level keys:
 *
 * - `profiles` at top level: a whole config. It goes through loadConfig() as written.
 * - `services` (a compose file) or `apiVersion` + `kind` (a Kubernetes manifest): not config; it
 *   must only parse as YAML without duplicate keys.
 * - otherwise a fragment: every top-level key must be a part of the config (`source`, `mapping`,
 *   `target`, `targets`, `policy`, `redis`, ...). The fragment is put in its place in a minimal
 *   config (`source` and `mapping` into the one profile, the rest at top level) and that goes
 *   through loadConfig(), so each part passes its own schema (the sources' and targets' registry
 *   unions included) with the loader's substitution and messages.
 *
 * Every `${NAME}` without a default is set to a dummy value (a URL for a *_URL), so a block fails
 * for what it says, not for the reader's environment; `${NAME:-default}` takes its default.
 * Secret files (`<secret>File: /run/secrets/x`) live on the deploy host: they are checked as the
 * secret itself. Duplicate keys and YAML syntax errors fail every kind of block.
 */

const root = fileURLToPath(new URL('../../../', import.meta.url));
const tmp = scratch();

interface Example {
  /** `docs/x.md:12` or `config/x.yaml`. */
  where: string;
  text: string;
}

function docBlocks(): Example[] {
  const dir = join(root, 'docs');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.md'))
    .sort()
    .flatMap((f) => {
      const md = readFileSync(join(dir, f), 'utf8');
      const blocks: Example[] = [];
      // A fence may be indented (inside a list item): the block's lines lose that indentation.
      for (const m of md.matchAll(/^([ \t]*)```ya?ml[^\n]*\n([\s\S]*?)^\1```/gm)) {
        const line = md.slice(0, m.index).split('\n').length;
        const text = m[2]!
          .split('\n')
          .map((l) => l.slice(m[1]!.length))
          .join('\n');
        blocks.push({ where: `docs/${f}:${line}`, text });
      }
      return blocks;
    });
}

function configFiles(dir = join(root, 'config')): Example[] {
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((e) => {
      const path = join(dir, e.name);
      if (e.isDirectory()) return configFiles(path);
      if (!/\.ya?ml$/.test(e.name)) return [];
      return [{ where: relative(root, path), text: readFileSync(path, 'utf8') }];
    });
}

type Kind = 'config' | 'fragment' | 'not config';

function kindOf(top: Record<string, unknown>): Kind {
  if ('profiles' in top) return 'config';
  if ('services' in top || ('apiVersion' in top && 'kind' in top)) return 'not config';
  return 'fragment';
}

/** Where each part of a fragment goes in a whole config. */
const PROFILE_PARTS = new Set(['source', 'mapping', 'schedule', 'access']);
const TOP_PARTS = new Set([
  'redis',
  'target',
  'targets',
  'policy',
  'queue',
  'daemon',
  'approvals',
  'notify',
  'audit',
  'log',
]);

/** A minimal whole config with the fragment's parts in their places. */
function wrap(fragment: Record<string, unknown>): Record<string, unknown> {
  const profile: Record<string, unknown> = { name: 'doc', source: { kind: 'csv', path: 'people.csv' } };
  const config: Record<string, unknown> = {
    target: { kind: 'chartio', org: 'acme', apiKey: 'key', apiSecret: 'secret' },
    profiles: [profile],
  };
  for (const [key, value] of Object.entries(fragment)) {
    if (PROFILE_PARTS.has(key)) profile[key] = value;
    else if (TOP_PARTS.has(key)) config[key] = value;
    else throw new Error(`top-level key ${key} is no part of the config (see the rule at the top of this test)`);
  }
  if ('targets' in fragment && !('target' in fragment)) delete config.target;
  return config;
}

/** `apiSecretFile: x` -> `apiSecret: <dummy>` at any depth; returns whether any was replaced. */
function inlineSecretFiles(v: unknown): boolean {
  if (Array.isArray(v)) return v.map(inlineSecretFiles).some(Boolean);
  if (!v || typeof v !== 'object') return false;
  const obj = v as Record<string, unknown>;
  let replaced = false;
  for (const [key, value] of Object.entries(obj)) {
    const secret = key.endsWith('File') ? key.slice(0, -'File'.length) : '';
    if (SECRET_KEYS.has(secret) && typeof value === 'string') {
      delete obj[key];
      obj[secret] = 'secret-from-file';
      replaced = true;
    } else if (inlineSecretFiles(value)) replaced = true;
  }
  return replaced;
}

/** A value for every `${NAME}` that has no default. */
function dummyEnv(text: string): NodeJS.ProcessEnv {
  const names = [...text.matchAll(/(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g)].map((m) => m[1]!);
  return Object.fromEntries(
    names.map((n) => [
      n,
      n.includes('REDIS') && n.endsWith('URL')
        ? 'redis://redis:6379'
        : n.endsWith('URL')
          ? 'https://example.com'
          : `dummy-${n}`,
    ]),
  );
}

/** Parses the block (duplicate keys are errors) and, for config, loads it; '' when it is fine. */
async function check(ex: Example, kind: Kind, index: number): Promise<string> {
  const top = parseDocument(ex.text).toJS() as Record<string, unknown>;
  if (kind === 'not config') return '';
  const value = kind === 'config' ? top : wrap(top);
  const text = inlineSecretFiles(value) || kind === 'fragment' ? stringify(value) : ex.text;
  const path = tmp.write(`example-${index}.yaml`, text);
  return loadConfig(path, dummyEnv(ex.text)).then(
    () => '',
    (e: Error) => e.message,
  );
}

const examples = [...docBlocks(), ...configFiles()];

describe('YAML examples in docs/*.md and config/**/*.yaml', () => {
  it('finds the examples (a fence the extractor missed would go unchecked)', () => {
    expect(examples.filter((e) => e.where.startsWith('docs/')).length).toBeGreaterThanOrEqual(9);
    expect(examples.filter((e) => e.where.startsWith('config/')).length).toBeGreaterThanOrEqual(5);
  });

  it.each(examples.map((ex, i) => [ex.where, ex, i] as const))('%s', async (_where, ex, i) => {
    const doc = parseDocument(ex.text);
    expect(doc.errors.map((e) => e.message.split('\n')[0])).toEqual([]);
    const top = doc.toJS() as unknown;
    expect(top, 'a mapping at top level').toBeTypeOf('object');
    expect(Array.isArray(top), 'a mapping at top level').toBe(false);

    const problem = await check(ex, kindOf(top as Record<string, unknown>), i);

    expect(problem, ex.where).toBe('');
  });

  it('fails the mistakes the docs once made: an unquoted DN in a flow mapping, a placeholder source', async () => {
    const dn = {
      where: 'dn',
      text: 'source: { kind: ldap, url: ldap://h, bindDn: x, bindPassword: y, people: { baseDn: ou=people,dc=corp } }',
    };
    const placeholder = {
      where: 'placeholder',
      text: 'target: { kind: chartio, org: a, apiKey: k, apiSecret: s }\nprofiles: [{ name: p, source: { ... } }]',
    };

    expect(await check(dn, 'fragment', 100)).toMatch(/people\.dc=corp: unknown key/);
    expect(await check(placeholder, 'config', 101)).toMatch(/profiles\[0\]\.source\.kind/);
    expect(parseDocument('redis: { url: a }\nredis: { url: b }').errors[0]?.message).toMatch(/unique/);
  });

  it('tells a whole config from a fragment and from a file that is not config', () => {
    expect(kindOf({ target: {}, profiles: [] })).toBe('config');
    expect(kindOf({ target: {} })).toBe('fragment');
    expect(kindOf({ services: {} })).toBe('not config');
    expect(kindOf({ apiVersion: 'v1', kind: 'Secret' })).toBe('not config');
    expect(() => wrap({ sources: {} })).toThrow(/sources is no part of the config/);
  });
});
