import type { Redis } from 'ioredis';
import type { z } from 'zod';
import type { Logger } from '../log/logger.js';
import type { IssueWords, Snapshot } from '../model/index.js';

export type ReadMode = 'full' | 'incremental';

export interface ReadRequest {
  mode: ReadMode;
  /** The cursor committed after the last successful apply (LDAP high-water mark, Graph deltaLink). */
  cursor?: string;
  signal?: AbortSignal;
}

export interface SourceRead {
  snapshot: Snapshot;
  /** What to commit once the run this read fed has applied. */
  nextCursor?: string;
  /** How the read was done, for the run record (e.g. "full", "delta"). */
  mode: ReadMode;
  /** Requests or pages spent, for the record. */
  requests?: number;
  /** A joined read (several sources): the people each source gave, and how many joined. */
  sources?: { name: string; people: number }[];
  join?: { people: number; joined: number; notInRequired: number; conflicts: number };
}

/**
 * A directory. `read` resolves only with a complete snapshot; any doubt (a page, a range chunk,
 * a nextLink that did not arrive, too many bad rows) rejects with SourceReadError.
 */
export interface Source {
  readonly kind: string;
  /** How the plan's header and the log name this source's issues. @defaultValue entries with problems */
  readonly issueWords?: IssueWords;
  read(request: ReadRequest): Promise<SourceRead>;
  /** Connectivity check for `validate`. */
  check?(): Promise<void>;
  close?(): Promise<void>;
}

export interface SourceDeps {
  /** A child logger that already carries `profile`: log lines do not add it again. */
  log: Logger;
  /** Directory of the config file: relative paths in source config resolve against it. */
  baseDir: string;
  /** Profile name, for keys and messages. */
  profile: string;
  /** For sources that keep state between reads (the keys their plug-in's `stateKeys` names). */
  redis?: Redis;
  /**
   * Names the config key `source.<key>` for a message about a value the far side refused, with
   * where the value came from (an environment variable, a secret file). Without it, messages name
   * `profiles.<profile>.source.<key>`.
   */
  keyToFix?: (key: string) => string;
  /**
   * The mapping needs the directory's nesting: each group's parents and each person's own groups
   * (a target whose units mirror the groups, or direct membership). A source that can read either
   * nesting or transitive membership reads nesting then; without it, whichever is cheaper.
   */
  nesting?: boolean;
  /** Key prefix for such state (the profile's, from src/store/keys.ts); includes the Cluster hash tag. */
  keyPrefix?: string;
}

/**
 * One source kind: its config schema, how to build it and the Redis keys it keeps. The registry
 * (src/sources/registry.ts) holds one line per plug-in; nothing outside the plug-in's folder, the
 * registry and the CLI names a source kind.
 */
export interface SourcePlugin<C extends { kind: string } = { kind: string }> {
  readonly kind: C['kind'];
  /** A zod object with `kind: z.literal(kind)`; the profile's `source` union is built from these. */
  readonly configSchema: z.ZodType<C>;
  create(config: C, deps: SourceDeps): Source;
  /**
   * The Redis keys the source keeps between reads (a kept directory, a delta state), as suffixes of
   * `SourceDeps.keyPrefix`: the store checks, inspects or deletes them without knowing the kind.
   * Empty for a source that keeps nothing. The source's own reads and writes use the same names.
   */
  stateKeys(config: C, profile: string): readonly string[];
}
