import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../../../src', import.meta.url));

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** Static imports (type-only ones too: they tie modules together just the same for a reader). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+'(\.[^']+)'/gms))
    out.push(resolve(dirname(file), m[1]!.replace(/\.js$/, '.ts')));
  return out;
}

/** The text of a file without its comments (block, JSDoc and line comments; a `//` after `:` is a URL). */
function codeOf(file: string): string {
  return readFileSync(file, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/(^|[^:])\/\/.*$/gm, '$1');
}

/**
 * Where code names a source kind: an import path into `sources/<kind>/`, the kind as a whole string
 * literal (`'ldap'`: how a `kind` value, a `case` label or a map key is written), or the kind as a
 * segment of a Redis key (`:ldap:`, `}entra:`). A substring test, as the target rule uses, would be
 * wrong here: `csv` is also a file format ("people.csv", "CSV files" in prose and descriptions) and
 * `entraGroupId` is a field of the DataCentral API, not our source; comments are prose too.
 */
function namesSourceKind(code: string, kind: string): boolean {
  return [
    new RegExp(`['"\`][^'"\`]*\\bsources/${kind}/`),
    new RegExp(`(['"\`])${kind}\\1`),
    new RegExp(`[:}]${kind}:`),
  ].some((re) => re.test(code));
}

describe('the source tree', () => {
  const all = files(SRC);
  const rel = (f: string) => relative(SRC, f);

  it('has no import cycle', () => {
    const graph = new Map(all.map((f) => [f, importsOf(f).filter((t) => all.includes(t))]));
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const stack: string[] = [];
    const visit = (f: string) => {
      state.set(f, 'open');
      stack.push(f);
      for (const t of graph.get(f)!) {
        if (state.get(t) === 'open') cycles.push([...stack.slice(stack.indexOf(t)), t].map(rel).join(' -> '));
        else if (!state.has(t)) visit(t);
      }
      stack.pop();
      state.set(f, 'done');
    };
    for (const f of all) if (!state.has(f)) visit(f);
    expect(cycles).toEqual([]);
  });

  it('names a target kind only inside that target plug-in, its emulator, the registries and the CLI', () => {
    const kinds = readdirSync(join(SRC, 'targets')).filter(
      (d) => statSync(join(SRC, 'targets', d)).isDirectory() && d !== 'http',
    );
    expect(kinds.length).toBeGreaterThanOrEqual(2);
    const offenders = all.filter((f) => {
      const r = rel(f);
      if (r === join('targets', 'registry.ts') || r === join('emulators', 'registry.ts') || r.startsWith('cli/'))
        return false;
      const own = kinds.find((k) => r.startsWith(join('targets', k) + '/') || r.startsWith(join('emulators', k) + '/'));
      const text = readFileSync(f, 'utf8').toLowerCase();
      return kinds.some((k) => k !== own && text.includes(k));
    });
    expect(offenders.map(rel)).toEqual([]);
  });

  it('names a source kind only inside that source plug-in, the registry and the CLI', () => {
    const kinds = readdirSync(join(SRC, 'sources')).filter((d) => statSync(join(SRC, 'sources', d)).isDirectory());
    expect(kinds.length).toBeGreaterThanOrEqual(3);
    const offenders = all.filter((f) => {
      const r = rel(f);
      if (r === join('sources', 'registry.ts') || r.startsWith('cli/')) return false;
      const own = kinds.find((k) => r.startsWith(join('sources', k) + '/'));
      const code = codeOf(f);
      return kinds.some((k) => k !== own && namesSourceKind(code, k));
    });
    expect(offenders.map(rel)).toEqual([]);
  });

  it('the source-kind rule sees imports, kind literals and key segments, not prose or file names', () => {
    const named = (code: string) => namesSourceKind(code, 'ldap');

    expect(named(`import { x } from '../sources/ldap/index.js';`)).toBe(true);
    expect(named(`if (source.kind === 'ldap') return;`)).toBe(true);
    expect(named('const key = `${prefix}:{${prefix}:${profile}}:ldap:${profile}:snapshot`;')).toBe(true);
    expect(named('const key = `${keyPrefix}ldap:state`;')).toBe(true);
    expect(named(`.describe('Users from an LDAP directory, or ldap-like exports')`)).toBe(false);
    expect(namesSourceKind(`readFileSync('config/sample/people.csv')`, 'csv')).toBe(false);
    expect(namesSourceKind(`{ entraGroupId: unit.groupId }`, 'entra')).toBe(false);
  });

  it('imports an emulator statically only inside src/emulators/ and from the CLI', () => {
    const emulators = join(SRC, 'emulators') + '/';
    const inside = (f: string) => f.startsWith(emulators) || f.startsWith(join(SRC, 'cli') + '/');
    const offenders = all
      .filter((f) => !inside(f))
      .flatMap((f) =>
        importsOf(f)
          .filter((t) => t.startsWith(emulators))
          .map((t) => `${rel(f)} -> ${rel(t)}`),
      );
    expect(offenders).toEqual([]);
  });

  it('reaches no emulator of a target from the command line entry point without a dynamic import', () => {
    const seen = new Set<string>();
    const visit = (f: string) => {
      if (seen.has(f) || !all.includes(f)) return;
      seen.add(f);
      for (const t of importsOf(f)) visit(t);
    };
    visit(join(SRC, 'cli', 'main.ts'));
    const kinds = readdirSync(join(SRC, 'emulators')).filter((d) => statSync(join(SRC, 'emulators', d)).isDirectory());
    expect(seen.size).toBeGreaterThan(10);
    expect([...seen].map(rel).filter((r) => kinds.some((k) => r.startsWith(join('emulators', k) + '/')))).toEqual([]);
  });

  it('has one emulator registry line per emulator folder, each a target kind', async () => {
    const { EMULATORS } = await import('../../../src/emulators/registry.js');
    const { TARGET_KINDS } = await import('../../../src/targets/registry.js');
    const folders = readdirSync(join(SRC, 'emulators')).filter((d) =>
      statSync(join(SRC, 'emulators', d)).isDirectory(),
    );
    expect(Object.keys(EMULATORS).sort()).toEqual(folders.sort());
    expect(folders.filter((k) => !(TARGET_KINDS as readonly string[]).includes(k))).toEqual([]);
  });
});
