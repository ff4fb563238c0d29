import {
  InvalidCredentialsError,
  NoSuchObjectError,
  SizeLimitExceededError,
  TimeLimitExceededError,
  AdminLimitExceededError,
  BusyError,
  UnavailableError,
} from 'ldapts';
import { SourceCredentialsError, SourceReadError } from '../../errors/index.js';
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
  c: Pick<LdapSourceConfig, 'url' | 'bindDn' | 'caFile' | 'bindPassword' | 'bindPasswordFile'>,
  during: string,
  profile?: string,
  keyToFix?: (key: string) => string,
): SourceReadError {
  if (err instanceof SourceReadError) return err;
  const e = (err ?? {}) as Error & { code?: string | number };
  const at = `ldap ${c.url}`;
  const message = e.message ?? String(err);
  if (err instanceof InvalidCredentialsError) return invalidCredentials(c, err, profile, keyToFix);
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

/**
 * Active Directory's reason for a refused bind, from the `data` code in its diagnostic message
 * ("AcceptSecurityContext error, data 52e"). Each is still fixed in the config or the directory.
 */
const AD_BIND_REASONS: Record<string, string> = {
  '525': 'the bind DN does not exist',
  '52e': 'wrong password',
  '530': 'the account may not sign in at this time',
  '531': 'the account may not sign in from this machine',
  '532': 'the password has expired',
  '533': 'the account is disabled',
  '701': 'the account has expired',
  '773': 'the password must be changed before the account can bind',
  '775': 'the account is locked out',
};

/**
 * A refused bind (LDAP result 49, invalidCredentials) as the config error it is (exit 78): the bind
 * DN, AD's reason when it gives one, and the keys to fix with where their values came from (an
 * environment variable, a secret file). Never the password.
 */
function invalidCredentials(
  c: Pick<LdapSourceConfig, 'url' | 'bindDn' | 'bindPassword' | 'bindPasswordFile'>,
  err: InvalidCredentialsError,
  profile: string | undefined,
  keyToFix: ((key: string) => string) | undefined,
): SourceCredentialsError {
  const shown = (key: string) => `${profile !== undefined ? `profiles.${profile}.` : ''}source.${key}`;
  // Without the loader (which reads bindPasswordFile into bindPassword), the session read the file itself.
  const password =
    c.bindPassword === undefined && c.bindPasswordFile !== undefined
      ? `the file ${c.bindPasswordFile} (${shown('bindPasswordFile')})`
      : (keyToFix?.('bindPassword') ?? shown('bindPassword'));
  const bindDn = keyToFix?.('bindDn') ?? shown('bindDn');
  const ad = /\bdata ([0-9a-f]{3,4})\b/i.exec(err.message ?? '')?.[1]?.toLowerCase();
  const reason = ad && AD_BIND_REASONS[ad] ? `; Active Directory says: ${AD_BIND_REASONS[ad]} (data ${ad})` : '';
  return new SourceCredentialsError(
    `ldap ${c.url}: bind as "${c.bindDn}" failed: invalid credentials (LDAP result 49)${reason}; ` +
      `fix ${password}, or ${bindDn} if the account is wrong`,
    'ldap',
    { cause: err },
  );
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
