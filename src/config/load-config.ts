import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { z } from 'zod';
import { ConfigError } from '../errors/index.js';
import { configSchema, type Config } from './schema.js';

export interface LoadedConfig {
  config: Config;
  path: string;
  baseDir: string;
}

type Path = (string | number)[];

/**
 * One YAML file -> validated Config. `${VAR}` / `${VAR:-default}` are substituted in strings
 * (`$${` escapes), `xxxFile` keys load the secret `xxx` from a file, and every problem is named
 * with file:line:col and its key path. Secret values never appear in messages.
 */
export async function loadConfig(path: string, env: NodeJS.ProcessEnv = process.env): Promise<LoadedConfig> {
  const full = resolve(path);
  let text: string;
  try {
    text = await readFile(full, 'utf8');
  } catch (err) {
    throw new ConfigError(`${path}: cannot read the config file (${(err as NodeJS.ErrnoException).code ?? String(err)})`, undefined, { cause: err });
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const at = (p: Path) => position(doc, lines, p);
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const { line, col } = lines.linePos(e.pos[0]);
    throw new ConfigError(`${path}:${line}:${col}: YAML syntax error: ${e.message.split('\n')[0]}`);
  }
  const raw: unknown = doc.toJS();
  const problems: string[] = [];
  const substituted = substitute(raw, [], env, (p, msg) => problems.push(`${path}${at(p)}: ${formatPath(p)}: ${msg}`));
  const baseDir = dirname(full);
  await loadSecretFiles(substituted, [], baseDir, (p, msg) => problems.push(`${path}${at(p)}: ${formatPath(p)}: ${msg}`));
  if (problems.length > 0) throw new ConfigError(`invalid config:\n  ${problems.join('\n  ')}`, undefined);

  const parsed = configSchema.safeParse(substituted);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => describeIssue(i, path, at));
    throw new ConfigError(`invalid config:\n  ${issues.join('\n  ')}`, formatPath(parsed.error.issues[0]!.path as Path));
  }
  return { config: parsed.data, path: full, baseDir };
}

function describeIssue(issue: z.core.$ZodIssue, file: string, at: (p: Path) => string): string {
  const p = issue.path as Path;
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((k) => `${file}${at([...p, k])}: ${formatPath([...p, k])}: unknown key`).join('\n  ');
  }
  // Never echo a received value: it may be a secret.
  const message = issue.message.replace(/, received .*/, '');
  return `${file}${at(p)}: ${formatPath(p) || '(top level)'}: ${message}`;
}

export function formatPath(p: readonly PropertyKey[]): string {
  return p.reduce<string>((s, k) => (typeof k === 'number' ? `${s}[${k}]` : s ? `${s}.${String(k)}` : String(k)), '');
}

/** ":line:col" of the deepest node that exists on the path, or "" when unknown. */
function position(doc: Document, lines: LineCounter, p: Path): string {
  let node: unknown = doc.contents;
  let found: Node | undefined;
  for (const key of p) {
    if (isMap(node)) {
      const pair = node.items.find((it) => isScalar(it.key) && it.key.value === key);
      if (!pair) break;
      found = (pair.key as Node) ?? found;
      node = pair.value;
    } else if (isSeq(node) && typeof key === 'number') {
      node = node.items[key];
      found = (node as Node | undefined) ?? found;
    } else break;
  }
  const range = found?.range ?? (doc.contents as Node | null)?.range;
  if (!range) return '';
  const { line, col } = lines.linePos(range[0]);
  return `:${line}:${col}`;
}

const VAR = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

function substitute(value: unknown, p: Path, env: NodeJS.ProcessEnv, problem: (p: Path, msg: string) => void): unknown {
  if (typeof value === 'string') {
    return value.replace(VAR, (match, name: string | undefined, fallback: string | undefined) => {
      if (match === '$${') return '${';
      const v = env[name!];
      if (v !== undefined && v !== '') return v;
      if (fallback !== undefined) return fallback;
      problem(p, `environment variable ${name} is not set (use \${${name}:-default} for a default)`);
      return '';
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => substitute(v, [...p, i], env, problem));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, [...p, k], env, problem)]));
  }
  return value;
}

/** `apiSecretFile: /run/secrets/x` -> `apiSecret: <file content>` (one trailing newline trimmed). */
async function loadSecretFiles(value: unknown, p: Path, baseDir: string, problem: (p: Path, msg: string) => void): Promise<void> {
  if (Array.isArray(value)) {
    await Promise.all(value.map((v, i) => loadSecretFiles(v, [...p, i], baseDir, problem)));
    return;
  }
  if (!value || typeof value !== 'object') return;
  const obj = value as Record<string, unknown>;
  for (const [key, v] of Object.entries(obj)) {
    const secretKey = key.endsWith('File') ? key.slice(0, -'File'.length) : undefined;
    if (secretKey && SECRET_KEYS.has(secretKey) && typeof v === 'string') {
      if (obj[secretKey] !== undefined) {
        problem([...p, key], `set either ${secretKey} or ${key}, not both`);
        continue;
      }
      try {
        obj[secretKey] = (await readFile(resolve(baseDir, v), 'utf8')).replace(/\r?\n$/, '');
      } catch (err) {
        problem([...p, key], `cannot read the secret file ${v} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
      }
      delete obj[key];
    } else {
      await loadSecretFiles(v, [...p, key], baseDir, problem);
    }
  }
}

/** Keys holding secrets: loadable from `<key>File`, and redacted by redactConfig(). */
export const SECRET_KEYS = new Set(['apiSecret', 'bindPassword', 'clientSecret', 'password', 'token']);

/** A copy that is safe to print or log. */
export function redactConfig<T>(value: T): T {
  if (Array.isArray(value)) return value.map(redactConfig) as T;
  if (!value || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, SECRET_KEYS.has(k) && v !== undefined ? '[REDACTED]' : redactConfig(v)]),
  ) as T;
}
