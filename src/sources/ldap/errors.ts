import {
  InvalidCredentialsError,
  NoSuchObjectError,
  SizeLimitExceededError,
  TimeLimitExceededError,
  AdminLimitExceededError,
  BusyError,
  UnavailableError,
} from 'ldapts';
import { SourceReadError } from '../../errors/index.js';
import { dnKey } from './dn.js';
import type { LdapSourceConfig } from './schema.js';

/** The stable codes an LDAP read fails with; the run record and the CLI show them. */
export type LdapErrorCode =
  | 'SOURCE_AUTH_FAILED'
  | 'SOURCE_UNREACHABLE'
  | 'SOURCE_BAD_BASE_DN'
  | 'SOURCE_TIMEOUT'
  | 'SOURCE_SIZE_LIMIT'
  | 'SOURCE_TLS'
  | 'SOURCE_INCOMPLETE'
  | 'SOURCE_ABORTED'
  | 'SOURCE_CONFIG'
  | 'SOURCE_READ_FAILED';

export function ldapError(message: string, code: LdapErrorCode, cause?: unknown): SourceReadError {
  return new SourceReadError(message, 'ldap', { code, ...(cause !== undefined ? { cause } : {}) });
}

const LOST =
  /Connection closed|Socket connection not established|Socket error|socket hang up|connection lost|ECONNRESET|EPIPE/i;

/**
 * Maps ldapts and socket errors to codes an operator can act on. Messages name the server, the bind
 * DN and the step; never the password (ldapts' own messages do not carry it either).
 */
export function toSourceError(
  err: unknown,
  c: Pick<LdapSourceConfig, 'url' | 'bindDn' | 'caFile'>,
  during: string,
  profile?: string,
): SourceReadError {
  if (err instanceof SourceReadError) return err;
  const e = (err ?? {}) as Error & { code?: string | number };
  const at = `ldap ${c.url}`;
  const message = e.message ?? String(err);
  if (err instanceof InvalidCredentialsError)
    return ldapError(`${at}: bind as "${c.bindDn}" failed: invalid credentials`, 'SOURCE_AUTH_FAILED', err);
  // Configured DNs are named by the session (missingEntryError); this is an entry taken from the directory itself.
  if (err instanceof NoSuchObjectError)
    return ldapError(
      `${at}: ${during}: an entry the read needs does not exist; it may have been deleted during the read (${message.trim()})`,
      'SOURCE_BAD_BASE_DN',
      err,
    );
  if (err instanceof SizeLimitExceededError || err instanceof AdminLimitExceededError) {
    return ldapError(
      `${at}: ${during}: the server's size limit cut the result short (${message}); raise the limit for the bind DN`,
      'SOURCE_SIZE_LIMIT',
      err,
    );
  }
  if (err instanceof TimeLimitExceededError)
    return ldapError(
      `${at}: ${during}: the server's time limit ended the search; raise timeLimitSeconds or the server limit`,
      'SOURCE_TIMEOUT',
      err,
    );
  if (err instanceof BusyError || err instanceof UnavailableError)
    return ldapError(`${at}: ${during}: the server is busy or unavailable (${message})`, 'SOURCE_UNREACHABLE', err);
  if (/timed out/i.test(message))
    return ldapError(`${at}: ${during}: no answer in time (${message})`, 'SOURCE_TIMEOUT', err);
  if (
    typeof e.code === 'string' &&
    /^(ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ENETUNREACH|ECONNRESET|EPIPE|ETIMEDOUT|EAI_AGAIN)$/.test(e.code)
  ) {
    return ldapError(`${at}: ${during}: server unreachable or connection lost (${e.code})`, 'SOURCE_UNREACHABLE', err);
  }
  if (LOST.test(message))
    return ldapError(
      `${at}: ${during}: the connection was lost before the read finished (${message})`,
      'SOURCE_UNREACHABLE',
      err,
    );
  if (/certificate|self.signed|CERT_|TLS|SSL/i.test(`${message} ${String(e.code)}`))
    return ldapError(`${at}: ${during}: TLS failed (${message})${caHint(message, c, profile)}`, 'SOURCE_TLS', err);
  return ldapError(`${at}: ${during} failed: ${message}`, 'SOURCE_READ_FAILED', err);
}

/** Node's words for a chain it cannot trust: a CA is missing (not an expired or misnamed certificate). */
const UNTRUSTED_CHAIN = /self[- ]signed|unable to (verify|get)|SELF_SIGNED|UNABLE_TO_(VERIFY|GET)/i;

/** For a chain Node does not trust: the CA setting of this connection, and Node's own. */
function caHint(message: string, c: Pick<LdapSourceConfig, 'caFile'>, profile?: string): string {
  if (!UNTRUSTED_CHAIN.test(message)) return '';
  const key = `${profile ? `profiles.${profile}.` : ''}source.caFile`;
  return c.caFile
    ? `; the CA in ${key} (${c.caFile}) did not sign the server's certificate: give the CA that did`
    : `; give the CA that signed the server's certificate as a PEM file in ${key} (or to Node with NODE_EXTRA_CA_CERTS)`;
}

/** The source config keys that hold `dn` (`people.baseDn`, `groups.baseDn`, `people.memberOf[i]`), compared as DNs. */
export function configKeysOf(c: Pick<LdapSourceConfig, 'people' | 'groups'>, dn: string): string[] {
  const key = dnKey(dn);
  const keyed: [string, string][] = [
    ['people.baseDn', c.people.baseDn],
    ['groups.baseDn', c.groups.baseDn],
    ...c.people.memberOf.map((m, i): [string, string] => [`people.memberOf[${i}]`, m]),
  ];
  return keyed.filter(([, v]) => dnKey(v) === key).map(([k]) => `source.${k}`);
}

export interface MissingEntry {
  /** From configKeysOf: never empty. */
  keys: string[];
  dn: string;
  profile?: string;
  /** The server's naming contexts (rootDSE), when it would say. */
  held: string[];
}

/**
 * A configured DN the server answers noSuchObject for. OpenLDAP answers the same for an entry the
 * bind DN may not see as for one that is not there, so both are named, with the server's suffixes
 * (a wrong `dc=` is the usual typo).
 */
export function missingEntryError(
  c: Pick<LdapSourceConfig, 'url' | 'bindDn'>,
  m: MissingEntry,
  cause: unknown,
): SourceReadError {
  const where = `${m.profile !== undefined ? `profile "${m.profile}": ` : ''}${m.keys.join(' and ')} "${m.dn}"`;
  const held = m.held.length > 0 ? ` (the server holds ${m.held.join(', ')})` : '';
  return ldapError(
    `ldap ${c.url}: ${where} does not exist, or "${c.bindDn}" may not read it${held}; check the DN for typos, that it ends in the server's suffix, and the bind DN's read access`,
    'SOURCE_BAD_BASE_DN',
    cause,
  );
}
