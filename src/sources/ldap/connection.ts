import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Client, InvalidCredentialsError, NoSuchObjectError, SizeLimitExceededError, TimeLimitExceededError } from 'ldapts';
import { SourceReadError } from '../../errors/index.js';
import type { Logger } from '../../log/logger.js';
import type { LdapSourceConfig } from './schema.js';

/** Connects (ldaps://, or ldap:// + StartTLS) and binds. Errors name the server, never the password. */
export async function connect(c: LdapSourceConfig, baseDir: string, log: Logger): Promise<Client> {
  if (c.insecureSkipVerify) log.warn({ url: c.url }, 'LDAP certificate verification is OFF (insecureSkipVerify): use only for tests');
  const tlsOptions = {
    minVersion: 'TLSv1.2' as const,
    rejectUnauthorized: !c.insecureSkipVerify,
    ...(c.caFile ? { ca: [readCa(resolve(baseDir, c.caFile))] } : {}),
  };
  // ldapts treats any tlsOptions as "connect with TLS": give them only to ldaps:// (StartTLS gets them below).
  const secure = c.url.startsWith('ldaps:');
  const client = new Client({ url: c.url, timeout: c.timeoutMs, connectTimeout: c.connectTimeoutMs, strictDN: false, ...(secure ? { tlsOptions } : {}) });
  try {
    if (c.startTls) await client.startTLS(tlsOptions);
    await client.bind(c.bindDn, c.bindPassword ?? '');
  } catch (err) {
    await client.unbind().catch(() => {});
    throw toSourceError(err, c, 'bind');
  }
  return client;
}

function readCa(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new SourceReadError(`ldap: cannot read caFile ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`, 'ldap', { code: 'SOURCE_TLS' });
  }
}

/** Maps ldapts and socket errors to SourceReadError codes an operator can act on. */
export function toSourceError(err: unknown, c: Pick<LdapSourceConfig, 'url' | 'bindDn'>, during: string): SourceReadError {
  if (err instanceof SourceReadError) return err;
  const e = err as Error & { code?: string | number };
  const at = `ldap ${c.url}`;
  if (err instanceof InvalidCredentialsError) return new SourceReadError(`${at}: bind as "${c.bindDn}" failed: invalid credentials`, 'ldap', { code: 'SOURCE_AUTH_FAILED', cause: err });
  if (err instanceof NoSuchObjectError) return new SourceReadError(`${at}: ${during}: the base DN does not exist (${e.message})`, 'ldap', { code: 'SOURCE_BAD_BASE_DN', cause: err });
  if (err instanceof SizeLimitExceededError) return new SourceReadError(`${at}: ${during}: the server's size limit cut the result short; use paging or raise the limit`, 'ldap', { code: 'SOURCE_SIZE_LIMIT', cause: err });
  if (err instanceof TimeLimitExceededError) return new SourceReadError(`${at}: ${during}: the server's time limit ended the search`, 'ldap', { code: 'SOURCE_TIMEOUT', cause: err });
  if (/timed out/i.test(e.message ?? '')) return new SourceReadError(`${at}: ${during}: no answer in time (${e.message})`, 'ldap', { code: 'SOURCE_TIMEOUT', cause: err });
  if (typeof e.code === 'string' && /^(ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ECONNRESET|EPIPE|ETIMEDOUT)$/.test(e.code)) {
    return new SourceReadError(`${at}: ${during}: server unreachable or connection lost (${e.code})`, 'ldap', { code: 'SOURCE_UNREACHABLE', cause: err });
  }
  if (/certificate|self.signed|CERT_|TLS/i.test(`${e.message} ${String(e.code)}`)) {
    return new SourceReadError(`${at}: ${during}: TLS failed (${e.message})`, 'ldap', { code: 'SOURCE_TLS', cause: err });
  }
  return new SourceReadError(`${at}: ${during} failed: ${e.message ?? String(err)}`, 'ldap', { code: 'SOURCE_READ_FAILED', cause: err });
}
