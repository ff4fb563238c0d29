import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Attribute, Change, Client } from 'ldapts';
import { openRuntime, type Runtime } from '../../src/app/runtime.js';
import { silentLogger, type Logger } from '../../src/log/logger.js';
import type { Person, Snapshot } from '../../src/model/index.js';
import { directoryLdif, groupsLdif, type LdifGroup, type LdifPerson } from './ldif.js';
import { ADMIN_DN, startSlapd, SUFFIX, type Slapd } from './slapd.js';

/** A person of a small test directory: an employee number (employeeNumber) besides the usual. */
export interface DirPerson extends LdifPerson {
  employeeNumber?: string;
}

/**
 * A small OpenLDAP directory of its own (a few people, groups added once slapd runs), for tests
 * that change it or stop it. The admin binds; the LDAP source reads employeeNumber.
 */
export async function startDirectory(people: DirPerson[], groups: LdifGroup[]): Promise<Slapd> {
  const ldif = directoryLdif(
    people.map(({ employeeNumber, ...p }) => ({
      ...p,
      ...(employeeNumber ? { extra: { ...p.extra, employeeNumber } } : {}),
    })),
    [],
  );
  return startSlapd(ldif, groups.length > 0 ? { ldifAfterStart: `${groupsLdif(groups).join('\n\n')}\n` } : {});
}

/** A source block for one of these directories (plain LDAP, the admin binding). */
export const ldapSourceOf = (slapd: Slapd, over: Record<string, unknown> = {}): Record<string, unknown> => ({
  kind: 'ldap',
  url: slapd.url,
  bindDn: ADMIN_DN,
  bindPassword: slapd.password,
  people: { baseDn: `ou=people,${SUFFIX}` },
  groups: { baseDn: `ou=groups,${SUFFIX}` },
  disabled: { attribute: 'employeeType', values: ['disabled'] },
  ...over,
});

/** The directory administrator of one of these directories, for tests that change it. */
export async function adminOf(slapd: Slapd): Promise<Client> {
  const client = new Client({ url: slapd.url, timeout: 10_000 });
  await client.bind(ADMIN_DN, slapd.password);
  return client;
}

export const replaceAttr = (type: string, values: string[]) =>
  new Change({ operation: 'replace', modification: new Attribute({ type, values }) });
export const addAttr = (type: string, values: string[]) =>
  new Change({ operation: 'add', modification: new Attribute({ type, values }) });
export const removeAttr = (type: string, values: string[]) =>
  new Change({ operation: 'delete', modification: new Attribute({ type, values }) });

/** An entry the directory's admin adds while it runs (inetOrgPerson under ou=people). */
export function personEntry(p: DirPerson): { dn: string; attributes: Record<string, string[]> } {
  return {
    dn: `uid=${p.uid},ou=people,${SUFFIX}`,
    attributes: {
      objectClass: ['inetOrgPerson'],
      uid: [p.uid],
      cn: [p.cn],
      sn: [p.cn.split(' ').pop() || p.cn],
      ...(p.mail ? { mail: [p.mail] } : {}),
      employeeType: [p.disabled ? 'disabled' : 'staff'],
      ...(p.employeeNumber ? { employeeNumber: [p.employeeNumber] } : {}),
    },
  };
}

export interface JoinedDeployment {
  dir: string;
  configPath: string;
  prefix: string;
  /** Writes a file next to the config (the HR export). */
  write(name: string, text: string): void;
  /** Rewrites the config (e.g. one source pointed elsewhere); runtimes opened later read it. */
  configure(profile: Record<string, unknown>): void;
  runtime(log?: Logger): Promise<Runtime>;
  close(): Promise<void>;
}

let counter = 0;

/**
 * A temp config whose one profile `staff` joins several sources (`sources:`, `precedence:`) and
 * syncs into a running emulator, on the test Redis under a prefix of its own. Guards are off: these
 * runs are about end states.
 */
export function joinedDeployment(
  redisUrl: string,
  o: {
    target: Record<string, unknown>;
    profile: Record<string, unknown>;
    policy?: Record<string, unknown>;
    close?: () => Promise<void>;
  },
): JoinedDeployment {
  const dir = mkdtempSync(join(tmpdir(), 'rostersync-joined-'));
  const configPath = join(dir, 'config.yaml');
  const prefix = `joined${process.pid}-${Date.now().toString(36)}-${++counter}`;
  const configure = (profile: Record<string, unknown>) =>
    writeFileSync(
      configPath,
      JSON.stringify(
        {
          redis: { url: redisUrl, prefix },
          target: o.target,
          policy: {
            maxDeletes: 1000,
            maxDeletePercent: 100,
            maxRemovals: 100_000,
            maxTeamShrinkPercent: 100,
            maxRoleLosses: 100_000,
            maxRoleLossPercent: 100,
            ...o.policy,
          },
          queue: { concurrency: 8, attempts: 3, backoffMs: 20 },
          log: { level: 'warn' },
          profiles: [{ name: 'staff', ...profile }],
        },
        null,
        2,
      ),
    );
  configure(o.profile);
  const runtimes: Runtime[] = [];
  return {
    dir,
    configPath,
    prefix,
    write: (name, text) => writeFileSync(join(dir, name), text),
    configure,
    async runtime(log = silentLogger) {
      const rt = await openRuntime(configPath, { log });
      runtimes.push(rt);
      return rt;
    },
    async close() {
      for (const rt of runtimes.splice(0)) await rt.close();
      await o.close?.();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A CSV file from a header and rows (no quoting needed for these values). */
export const csv = (header: string[], rows: (string | undefined)[][]) =>
  `${[header, ...rows].map((r) => r.map((v) => v ?? '').join(',')).join('\n')}\n`;

/** A snapshot in a fixed order (people by sourceId, groups by sourceId, lists sorted), to compare two reads. */
export function canonical(s: Snapshot): Snapshot {
  const person = (p: Person): Person => ({
    ...p,
    groupIds: [...p.groupIds].sort(),
    ...(p.attributes
      ? {
          attributes: Object.fromEntries(
            Object.entries(p.attributes)
              .sort(([a], [b]) => (a < b ? -1 : 1))
              .map(([k, v]) => [k, [...v].sort()]),
          ),
        }
      : {}),
  });
  const by = <T extends { sourceId: string }>(a: T, b: T) => (a.sourceId < b.sourceId ? -1 : 1);
  return {
    people: s.people.map(person).sort(by),
    groups: s.groups.map((g) => ({ ...g, parentIds: [...g.parentIds].sort() })).sort(by),
    issues: [...s.issues].sort((a, b) => (`${a.where}${a.reason}` < `${b.where}${b.reason}` ? -1 : 1)),
  };
}
