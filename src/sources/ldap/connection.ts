import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Client, NoSuchObjectError, type Entry, type SearchOptions } from 'ldapts';
import type { Logger } from '../../log/logger.js';
import { installLeanEntryDecoding } from './entry-decoding.js';
import { configKeysOf, ldapError, missingEntryError, toSourceError } from './errors.js';
import type { LdapSourceConfig } from './schema.js';

export type SearchScope = 'base' | 'one' | 'sub';
export interface SearchSpec {
  scope: SearchScope;
  filter: string;
  attributes: string[];
  /** Attributes to return as Buffers (AD objectGUID, invocationId). */
  binary?: string[];
}

/** What the readers need from a connection: every page of a search, or one small search. Faked in unit tests. */
export interface Directory {
  pages(base: string, spec: SearchSpec): AsyncGenerator<Entry[]>;
  search(base: string, spec: SearchSpec): Promise<Entry[]>;
  readonly requests: number;
}

/**
 * One bound connection for one read. Operations refuse to run on a connection that has dropped:
 * ldapts would otherwise reconnect silently, unbound (anonymous) and without StartTLS, and a read
 * could go on as someone who sees less.
 */
export class LdapSession implements Directory {
  requests = 1;
  pageCount = 0;
  private readonly onAbort = () => void this.client.unbind().catch(() => {});

  private constructor(
    private readonly client: Client,
    private readonly c: LdapSourceConfig,
    private readonly log: Logger,
    private readonly signal?: AbortSignal,
    private readonly profile?: string,
    private readonly keyToFix?: (key: string) => string,
  ) {
    signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  /**
   * Connects (ldaps://, or ldap:// + StartTLS), binds, and returns the session. Errors never carry the
   * password. `profile` only names the profile in errors about its configuration; `keyToFix` names a
   * refused credential's key with where its value came from (SourceDeps.keyToFix).
   */
  static async open(
    c: LdapSourceConfig,
    baseDir: string,
    log: Logger,
    signal?: AbortSignal,
    profile?: string,
    keyToFix?: (key: string) => string,
  ): Promise<LdapSession> {
    if (!installLeanEntryDecoding())
      log.debug('ldap: entries are decoded by ldapts itself (its entries changed shape)');
    if (c.insecureSkipVerify)
      log.warn({ url: c.url }, 'LDAP certificate verification is OFF (insecureSkipVerify): use only for tests');
    const password = await bindPassword(c, baseDir);
    const tlsOptions = {
      minVersion: 'TLSv1.2' as const,
      rejectUnauthorized: !c.insecureSkipVerify,
      ...(c.caFile ? { ca: [await readCa(resolve(baseDir, c.caFile))] } : {}),
    };
    // ldapts treats any tlsOptions as "connect with TLS": give them only to ldaps:// (StartTLS gets them below).
    const secure = c.url.startsWith('ldaps:');
    const client = new Client({
      url: c.url,
      timeout: c.timeoutMs,
      connectTimeout: c.connectTimeoutMs,
      ...(secure ? { tlsOptions } : {}),
    });
    try {
      if (signal?.aborted) throw ldapError(`ldap ${c.url}: read aborted`, 'SOURCE_ABORTED');
      if (c.startTls) await client.startTLS(tlsOptions);
      await client.bind(c.bindDn, password);
    } catch (err) {
      await client.unbind().catch(() => {});
      throw toSourceError(err, c, c.startTls ? 'StartTLS and bind' : 'bind', profile, keyToFix);
    }
    return new LdapSession(client, c, log, signal, profile, keyToFix);
  }

  /**
   * Every page of a paged search. The next page is asked for as soon as one arrives, before the
   * caller works through it: the server finds page N+1 while page N is turned into people.
   */
  async *pages(base: string, spec: SearchSpec): AsyncGenerator<Entry[]> {
    this.guard();
    const pages = this.client.searchPaginated(base, { ...this.options(spec), paged: { pageSize: this.c.pageSize } });
    let ahead: Promise<IteratorResult<{ searchEntries: Entry[] }>> | undefined = pages.next();
    try {
      for (;;) {
        const page = await ahead;
        ahead = undefined;
        if (page.done) return;
        ahead = pages.next();
        // A failure of the page asked for ahead is thrown when it is awaited, not left unhandled meanwhile.
        ahead.catch(() => {});
        this.requests += 1;
        this.pageCount += 1;
        this.log.debug({ base, page: this.pageCount, entries: page.value.searchEntries.length }, 'ldap page');
        this.guard();
        yield page.value.searchEntries;
      }
    } catch (err) {
      throw await this.explain(err, base);
    } finally {
      // The caller stopped early: let the page asked for ahead arrive, then end the search.
      if (ahead) await ahead.then(() => pages.return(undefined)).catch(() => {});
    }
  }

  async search(base: string, spec: SearchSpec): Promise<Entry[]> {
    this.guard();
    try {
      const { searchEntries } = await this.client.search(base, this.options(spec));
      this.requests += 1;
      return searchEntries;
    } catch (err) {
      throw await this.explain(err, base);
    }
  }

  async close(): Promise<void> {
    this.signal?.removeEventListener('abort', this.onAbort);
    await this.client.unbind().catch(() => {});
  }

  /** Why an operation failed, as a SourceReadError: an abort wins over the connection error it caused. */
  failure(err: unknown, during: string): Error {
    if (this.signal?.aborted)
      return ldapError(`ldap ${this.c.url}: read aborted during ${during}`, 'SOURCE_ABORTED', err);
    return toSourceError(err, this.c, during, this.profile, this.keyToFix);
  }

  /**
   * A search from a DN the config names that the server does not know: say which key holds it. Other
   * errors, and noSuchObject for DNs taken from the directory (a member gone mid-read), pass unchanged.
   */
  private async explain(err: unknown, base: string): Promise<unknown> {
    if (!(err instanceof NoSuchObjectError)) return err;
    const keys = configKeysOf(this.c, base);
    if (keys.length === 0) return err;
    return missingEntryError(
      this.c,
      {
        keys,
        dn: base,
        held: await this.namingContexts(),
        ...(this.profile !== undefined ? { profile: this.profile } : {}),
      },
      err,
    );
  }

  /** The suffixes the server holds (rootDSE namingContexts); none when it will not say. */
  private async namingContexts(): Promise<string[]> {
    if (!this.client.isBound) return [];
    try {
      const { searchEntries } = await this.client.search('', {
        scope: 'base',
        filter: '(objectClass=*)',
        attributes: ['namingContexts'],
        timeLimit: this.c.timeLimitSeconds,
      });
      const v = searchEntries[0]?.namingContexts;
      return (Array.isArray(v) ? v : v === undefined ? [] : [v]).map(String).filter((d) => d !== '');
    } catch {
      return [];
    }
  }

  private options(spec: SearchSpec): SearchOptions {
    return {
      scope: spec.scope,
      filter: spec.filter,
      attributes: spec.attributes,
      timeLimit: this.c.timeLimitSeconds,
      ...(spec.binary && spec.binary.length > 0 ? { explicitBufferAttributes: spec.binary } : {}),
    };
  }

  private guard(): void {
    if (this.signal?.aborted) throw ldapError(`ldap ${this.c.url}: read aborted`, 'SOURCE_ABORTED');
    if (!this.client.isBound)
      throw ldapError(`ldap ${this.c.url}: the connection was lost before the read finished`, 'SOURCE_UNREACHABLE');
  }
}

/** The bind password: from config (the loader has already read bindPasswordFile), else from the file. Never empty: an empty simple bind is anonymous. */
async function bindPassword(c: LdapSourceConfig, baseDir: string): Promise<string> {
  if (c.bindPassword) return c.bindPassword;
  if (!c.bindPasswordFile) throw ldapError('ldap: no bindPassword and no bindPasswordFile', 'SOURCE_CONFIG');
  const path = resolve(baseDir, c.bindPasswordFile);
  let text: string;
  try {
    text = (await readFile(path, 'utf8')).replace(/\r?\n$/, '');
  } catch (err) {
    throw ldapError(
      `ldap: cannot read bindPasswordFile ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
      'SOURCE_CONFIG',
    );
  }
  if (text === '')
    throw ldapError(
      `ldap: bindPasswordFile ${path} is empty (an empty password would bind anonymously)`,
      'SOURCE_CONFIG',
    );
  return text;
}

async function readCa(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (err) {
    throw ldapError(
      `ldap: cannot read caFile ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
      'SOURCE_TLS',
    );
  }
}
