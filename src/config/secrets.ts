import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { maskUrl } from '../log/mask-url.js';
import { pathKey, type KeyPath } from './key-path.js';

/**
 * Keys holding secrets: each may instead be given as `<key>File`, and each is censored by
 * redactConfig(). A unit test checks that every `<key>`/`<key>File` pair of the schema is listed.
 */
export const SECRET_KEYS: ReadonlySet<string> = new Set([
  'apiSecret',
  'bindPassword',
  'clientSecret',
  'orgTokens',
  'password',
  'sentinelPassword',
  'token',
]);

export const REDACTED = '[REDACTED]';

/**
 * `apiSecretFile: /run/secrets/x` -> `apiSecret: <file content>` (one trailing newline trimmed),
 * relative paths against the config's directory. Returns where each loaded secret came from
 * (secret path -> file key path and file), so a problem with the content is reported at the file key.
 * Problems name the key and the file, never the content.
 */
export async function loadSecretFiles(
  value: unknown,
  baseDir: string,
  problem: (p: KeyPath, msg: string) => void,
): Promise<Map<string, { fileKey: KeyPath; file: string }>> {
  const origins = new Map<string, { fileKey: KeyPath; file: string }>();
  const walk = async (v: unknown, p: (string | number)[]): Promise<void> => {
    if (Array.isArray(v)) {
      await Promise.all(v.map((x, i) => walk(x, [...p, i])));
      return;
    }
    if (!v || typeof v !== 'object') return;
    const obj = v as Record<string, unknown>;
    await Promise.all(
      Object.entries(obj).map(async ([key, file]) => {
        const secretKey = key.endsWith('File') ? key.slice(0, -'File'.length) : '';
        if (!SECRET_KEYS.has(secretKey)) return walk(file, [...p, key]);
        if (typeof file !== 'string') return; // the schema reports the wrong type
        if (obj[secretKey] !== undefined) return problem([...p, key], `set either ${secretKey} or ${key}, not both`);
        let content: string;
        try {
          content = (await readFile(resolve(baseDir, file), 'utf8')).replace(/\r?\n$/, '');
        } catch (err) {
          return problem(
            [...p, key],
            `cannot read the secret file ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
          );
        }
        if (content === '') return problem([...p, key], `the secret file ${file} is empty`);
        obj[secretKey] = content;
        delete obj[key];
        origins.set(pathKey([...p, secretKey]), { fileKey: [...p, key], file });
      }),
    );
  };
  await walk(value, []);
  return origins;
}

/**
 * A copy that is safe to print or log: secret keys become "[REDACTED]" and passwords inside URLs
 * (redis://user:pass@host) are censored, at any depth.
 */
export function redactConfig<T>(value: T): T {
  if (typeof value === 'string') return maskUrl(value) as T;
  if (Array.isArray(value)) return value.map(redactConfig) as T;
  if (!value || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [
      k,
      SECRET_KEYS.has(k) && v !== undefined && v !== null ? REDACTED : redactConfig(v),
    ]),
  ) as T;
}
