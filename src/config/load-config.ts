import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { ConfigError } from '../errors/index.js';
import { formatPath, pathKey, positionOf, type KeyPath } from './key-path.js';
import type { Origins, ValueOrigin } from './origins.js';
import { configSchema, type Config } from './schema.js';
import { loadSecretFiles, SECRET_KEYS } from './secrets.js';
import { coerceScalar, substituteEnv } from './substitute.js';

export { formatPath } from './key-path.js';
export { redactConfig, SECRET_KEYS } from './secrets.js';

export interface LoadedConfig {
  config: Config;
  /** Absolute path of the file read. */
  path: string;
  /** Its directory: relative paths in the config (CSV files, secret files) resolve against it. */
  baseDir: string;
  /** Values the file does not hold itself (`${VAR}`, `<secret>File`), by key path: for messages that name what to fix. */
  origins: Origins;
}

/**
 * One YAML file -> validated Config. `${VAR}` / `${VAR:-default}` are substituted in string values
 * (`$${` escapes), `<secret>File` keys load the secret from a file, and every problem is reported
 * at once as `file:line:col: key.path: what was expected`. Secret values never appear in messages.
 * There are no implicit environment overrides: the file says where each value comes from.
 */
export async function loadConfig(path: string, env: NodeJS.ProcessEnv = process.env): Promise<LoadedConfig> {
  const full = resolve(path);
  let text: string;
  try {
    text = await readFile(full, 'utf8');
  } catch (err) {
    throw new ConfigError(
      `${path}: cannot read the config file (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
      undefined,
      { cause: err },
    );
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, merge: true });
  if (doc.errors.length > 0) {
    throw invalid(
      path,
      doc.errors.map((e) => ({ at: lines.linePos(e.pos[0]), text: `YAML syntax error: ${e.message.split('\n')[0]}` })),
    );
  }
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 1000 });
  } catch (err) {
    throw new ConfigError(`${path}: ${(err as Error).message}`, undefined, { cause: err });
  }
  if (raw === null || raw === undefined) throw new ConfigError(`${path}: the config file is empty`);

  const problem = (p: KeyPath, msg: string): Problem => ({
    at: positionOf(doc, lines, p),
    keyPath: formatPath(p),
    text: `${formatPath(p) || '(top level)'}: ${msg}`,
  });
  const problems: Problem[] = [];
  const report = (p: KeyPath, msg: string) => problems.push(problem(p, msg));
  const { value, substituted, variables } = substituteEnv(raw, env, report);
  const baseDir = dirname(full);
  const secretFiles = await loadSecretFiles(value, baseDir, report);
  if (problems.length > 0) throw invalid(path, problems);

  const parsed = parseCoercing(value, substituted);
  if (!parsed.success) {
    const issues = parsed.error.issues;
    throw invalid(
      path,
      issues.flatMap((i) => describeIssue(i, value, secretFiles).map(([p, msg]) => problem(p, msg))),
      issues.some((i) => looksLikeSplitDn(i, value)) ? SPLIT_DN_HINT : undefined,
    );
  }
  const redisUrl = redisUrlProblem(parsed.data.redis.url);
  if (redisUrl) throw invalid(path, [problem(['redis', 'url'], redisUrl)]);
  const origins = new Map<string, ValueOrigin>([
    ...[...variables].map(([k, names]): [string, ValueOrigin] => [k, { kind: 'env', names }]),
    ...[...secretFiles].map(([k, f]): [string, ValueOrigin] => [k, { kind: 'file', ...f }]),
  ]);
  return { config: parsed.data, path: full, baseDir, origins };
}

/**
 * ioredis would throw a bare "Invalid URL" at connect time (exit 70): check it with the config.
 * The value is not echoed, since it may hold a password.
 */
function redisUrlProblem(url: string): string | undefined {
  if (url.startsWith('/')) return undefined; // a Unix socket path, which ioredis accepts
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'not a URL: expected redis://[user:password@]host[:port][/db] or rediss://… (percent-encode @ : / in a password)';
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:')
    return `expected a redis:// or rediss:// URL, got ${parsed.protocol}//`;
  if (!parsed.hostname) return 'the URL names no host';
  return undefined;
}

interface Problem {
  at: { line: number; col: number } | undefined;
  keyPath?: string;
  text: string;
}

/**
 * One error listing every problem in file order, each as `file:line:col: key.path: message`,
 * then the hint if any; its keyPath is the first problem's.
 */
function invalid(path: string, problems: Problem[], hint?: string): ConfigError {
  const order = (p: Problem) => (p.at ? p.at.line * 1e6 + p.at.col : 0);
  const sorted = [...problems].sort((a, b) => order(a) - order(b));
  const lines = sorted.map((p) => `${path}${p.at ? `:${p.at.line}:${p.at.col}` : ''}: ${p.text}`);
  return new ConfigError(
    `invalid config ${path} (${lines.length} problem${lines.length === 1 ? '' : 's'}):\n  ${[...lines, ...(hint ? [hint] : [])].join('\n  ')}`,
    sorted[0]?.keyPath || undefined,
  );
}

export const SPLIT_DN_HINT = 'an LDAP DN has commas: quote it ("ou=people,dc=corp,dc=example")';

/** `dc=example`: one attribute=value part of a DN. */
const RDN = /^[A-Za-z][A-Za-z0-9-]*=/;

/**
 * An unquoted DN inside `{ ... }` or `[ ... ]` is split at its commas by YAML:
 * `{ baseDn: ou=people,dc=corp }` gives the unknown key `dc=corp`, and `bindDn: [cn=a, dc=corp]`
 * (or a DN's parts on their own) a list where a string was expected. Either is worth the hint.
 */
function looksLikeSplitDn(issue: z.core.$ZodIssue, data: unknown): boolean {
  if (issue.code === 'unrecognized_keys') return issue.keys.some((k) => k.includes('='));
  const key = issue.path[issue.path.length - 1];
  if (typeof key === 'string' && key.includes('=')) return true;
  const value = valueAt(data, issue.path as KeyPath);
  return Array.isArray(value) && value.length > 1 && value.every((v) => typeof v === 'string' && RDN.test(v));
}

/**
 * Values written as `${VAR}` are strings; where the schema wants a number or a boolean
 * (`port: ${HTTP_PORT:-8080}`), a substituted string that reads as one is converted. Values
 * typed literally in the file are never converted: `port: "8080"` stays an error.
 */
function parseCoercing(value: unknown, substituted: KeyPath[]): ReturnType<typeof configSchema.safeParse> {
  const wasSubstituted = new Set(substituted.map(pathKey));
  for (let round = 0; ; round++) {
    const parsed = configSchema.safeParse(value);
    if (parsed.success || round === 3) return parsed;
    let changed = false;
    for (const issue of parsed.error.issues) {
      if (issue.code !== 'invalid_type') continue;
      const wanted = issue.expected === 'number' ? 'number' : issue.expected === 'boolean' ? 'boolean' : undefined;
      const p = issue.path as KeyPath;
      if (!wanted || !wasSubstituted.has(pathKey(p))) continue;
      const converted = coerceScalar(valueAt(value, p), wanted);
      if (converted === undefined) continue;
      setAt(value, p, converted);
      changed = true;
    }
    if (!changed) return parsed;
  }
}

/** [key path, message] pairs for one issue; never includes the value that was received. */
function describeIssue(
  issue: z.core.$ZodIssue,
  data: unknown,
  origins: Map<string, { fileKey: KeyPath }>,
): [KeyPath, string][] {
  const p = issue.path as KeyPath;
  if (issue.code === 'unrecognized_keys') return issue.keys.map((k) => [[...p, k], 'unknown key']);
  const value = valueAt(data, p);
  const message =
    issue.code === 'invalid_type' && value === undefined ? `missing (expected ${issue.expected})` : issue.message;
  const fromFile = origins.get(pathKey(p));
  if (fromFile) return [[fromFile.fileKey, `the file's content: ${scrub(message, value)}`]];
  return [[p, SECRET_KEYS.has(String(p[p.length - 1])) ? scrub(message, value) : message]];
}

/** Safety net for secrets: zod's messages name types and bounds, not values; if one ever quoted the value, cut it. */
function scrub(message: string, value: unknown): string {
  return typeof value === 'string' && value.length > 0 && message.includes(value)
    ? message.split(value).join('[REDACTED]')
    : message;
}

function valueAt(data: unknown, p: KeyPath): unknown {
  let v = data;
  for (const k of p) v = v && typeof v === 'object' ? (v as Record<string | number, unknown>)[k] : undefined;
  return v;
}

function setAt(data: unknown, p: KeyPath, value: unknown): void {
  const parent = valueAt(data, p.slice(0, -1)) as Record<string | number, unknown>;
  parent[p[p.length - 1]!] = value;
}
