import type { Redis } from 'ioredis';
import { Attribute, Change, Client } from 'ldapts';
import { inject } from 'vitest';
import { pino } from 'pino';
import { REDACT_PATHS, silentLogger, type Logger } from '../../../src/log/logger.js';
import { LdapSource } from '../../../src/sources/ldap/index.js';
import { ldapSourceSchema, type LdapSourceConfig } from '../../../src/sources/ldap/schema.js';

export const ldap = inject('ldap');

export const config = (over: Record<string, unknown> = {}): LdapSourceConfig =>
  ldapSourceSchema.parse({
    kind: 'ldap',
    url: ldap.url,
    bindDn: ldap.bindDn,
    bindPassword: ldap.password,
    people: { baseDn: `ou=people,${ldap.suffix}` },
    groups: { baseDn: `ou=groups,${ldap.suffix}` },
    disabled: { attribute: 'employeeType', values: ['disabled'] },
    ...over,
  });

export interface SourceOptions {
  redis?: Redis;
  keyPrefix?: string;
  profile?: string;
  log?: Logger;
}

export const source = (over: Record<string, unknown> = {}, o: SourceOptions = {}) =>
  new LdapSource(config(over), {
    log: o.log ?? silentLogger,
    baseDir: '/',
    profile: o.profile ?? 'ldap',
    ...(o.redis ? { redis: o.redis, keyPrefix: o.keyPrefix ?? `ldaptest-${Date.now()}-${Math.random()}:` } : {}),
  });

/** A real pino logger (with the app's redaction) whose JSON lines land in `lines`; `onLine` sees each as it is written. */
export function capturingLogger(onLine: (line: Record<string, unknown>) => void = () => {}): {
  log: Logger;
  lines: Record<string, unknown>[];
  text: () => string;
} {
  const lines: Record<string, unknown>[] = [];
  const raw: string[] = [];
  const log = pino(
    { level: 'debug', redact: { paths: REDACT_PATHS, censor: '[REDACTED]' } },
    {
      write(text: string) {
        raw.push(text);
        const line = JSON.parse(text) as Record<string, unknown>;
        lines.push(line);
        onLine(line);
      },
    },
  );
  return { log, lines, text: () => raw.join('') };
}

/** The directory administrator, for tests that change entries. */
export async function admin(): Promise<Client> {
  const client = new Client({ url: ldap.url, timeout: 10_000 });
  await client.bind(ldap.adminDn, ldap.adminPassword);
  return client;
}

export const replace = (type: string, values: string[]) =>
  new Change({ operation: 'replace', modification: new Attribute({ type, values }) });
export const add = (type: string, values: string[]) =>
  new Change({ operation: 'add', modification: new Attribute({ type, values }) });
export const remove = (type: string, values: string[]) =>
  new Change({ operation: 'delete', modification: new Attribute({ type, values }) });
