import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { Logger } from '../../log/logger.js';
import type { Cursor } from './cursor.js';
import { dnKey } from './dn.js';
import type { RawGroup, RawPerson, Skipped } from './read-directory.js';
import type { LdapSourceConfig } from './schema.js';

/** The last complete directory, raw, with the cursor it is complete up to: what an incremental read applies changes onto. */
export interface KeptDirectory {
  cursor: Cursor;
  people: RawPerson[];
  groups: RawGroup[];
  skipped: Skipped[];
}

const keptSchema = z.object({
  version: z.literal(1),
  fingerprint: z.string(),
  cursor: z.object({
    marker: z.enum(['modifyTimestamp', 'uSNChanged']),
    value: z.string(),
    after: z.boolean().optional(),
    dc: z.string().optional(),
    invocationId: z.string().optional(),
  }),
  people: z.array(
    z.object({
      dn: z.string(),
      id: z.string(),
      email: z.string().optional(),
      displayName: z.string(),
      givenName: z.string().optional(),
      familyName: z.string().optional(),
      enabled: z.boolean(),
      locked: z.boolean().optional(),
      marker: z.string().optional(),
      attributes: z.record(z.string(), z.array(z.string())).optional(),
    }),
  ),
  groups: z.array(
    z.object({
      dn: z.string(),
      id: z.string(),
      name: z.string(),
      memberDns: z.array(z.string()),
      marker: z.string().optional(),
    }),
  ),
  skipped: z.array(z.object({ dn: z.string(), reason: z.string() })),
});

/**
 * What decides which entries a read sees and how they are turned into people and groups: a kept
 * directory read under another configuration must not be patched, it is read again in full.
 */
export function configFingerprint(c: LdapSourceConfig): string {
  const relevant = {
    url: c.url,
    preset: c.preset,
    people: c.people,
    groups: c.groups,
    // Named as before attributeNames existed, so a kept directory survives the rename.
    attributes: c.attributeNames,
    // Only when some are listed, likewise: listing attributes (or others) reads the directory again in full.
    ...(c.attributes.length > 0 ? { read: c.attributes } : {}),
    disabled: c.disabled ?? null,
    ppolicyLockDisables: c.ppolicyLockDisables,
    nested: c.nested,
  };
  return createHash('sha256').update(JSON.stringify(relevant)).digest('hex').slice(0, 32);
}

/** The kept directory's key, a suffix of the profile's key prefix (SourceDeps.keyPrefix). */
export function keptDirectoryKey(profile: string): string {
  return `ldap:${profile}:snapshot`;
}

/** The kept directory in Redis under `<keyPrefix>` + keptDirectoryKey; without Redis nothing is kept and every read is full. */
export class DirectoryKeeper {
  constructor(
    private readonly redis: Redis | undefined,
    private readonly key: string | undefined,
    private readonly fingerprint: string,
    private readonly log: Logger,
  ) {}

  get enabled(): boolean {
    return this.redis !== undefined && this.key !== undefined;
  }

  /** The kept directory, or why there is none usable. */
  async load(): Promise<KeptDirectory | string> {
    if (!this.redis || !this.key) return 'no Redis to keep the directory in';
    const text = await this.redis.get(this.key);
    if (!text) return 'no kept directory';
    let parsed: z.infer<typeof keptSchema>;
    try {
      parsed = keptSchema.parse(JSON.parse(text));
    } catch {
      return 'the kept directory is unreadable';
    }
    if (parsed.fingerprint !== this.fingerprint)
      return 'the source configuration changed since the kept directory was read';
    return { cursor: parsed.cursor as Cursor, people: parsed.people, groups: parsed.groups, skipped: parsed.skipped };
  }

  /** Keeps the directory; a failure only costs the next read its incremental start, so it is logged, not thrown. */
  async save(d: KeptDirectory): Promise<void> {
    if (!this.redis || !this.key) return;
    try {
      await this.redis.set(this.key, JSON.stringify({ version: 1, fingerprint: this.fingerprint, ...d }));
    } catch (err) {
      this.log.warn(
        { err: (err as Error).message },
        'ldap: could not keep the directory in Redis: the next incremental read will read in full',
      );
    }
  }
}

/**
 * Kept groups' member DNs, following entries that changed DN since they were kept (a renamed or
 * moved person or group, matched by immutable id). AD rewrites a renamed member's DN in `member`
 * without moving the group's uSNChanged (likewise an OpenLDAP without refint), so a group that was
 * not re-read would otherwise keep the old DN and lose that member until the next full read.
 * Groups re-read in this read (`reread`) already hold the server's DNs and are left as they are.
 */
export function followRenames(
  kept: KeptDirectory,
  changed: { dn: string; id: string }[],
  reread: Set<string>,
): RawGroup[] {
  const before = new Map([...kept.people, ...kept.groups].map((e) => [e.id, dnKey(e.dn)]));
  const renamed = new Map<string, string>();
  for (const e of changed) {
    const old = before.get(e.id);
    if (old !== undefined && old !== dnKey(e.dn)) renamed.set(old, e.dn);
  }
  if (renamed.size === 0) return kept.groups;
  return kept.groups.map((g) =>
    reread.has(g.id) ? g : { ...g, memberDns: g.memberDns.map((dn) => renamed.get(dnKey(dn)) ?? dn) },
  );
}
