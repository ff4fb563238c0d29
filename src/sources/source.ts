import type { Redis } from 'ioredis';
import type { Logger } from '../log/logger.js';
import type { Snapshot } from '../model/index.js';

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
}

/**
 * A directory. `read` resolves only with a complete snapshot; any doubt (a page, a range chunk,
 * a nextLink that did not arrive, too many bad rows) rejects with SourceReadError.
 */
export interface Source {
  readonly kind: string;
  read(request: ReadRequest): Promise<SourceRead>;
  /** Connectivity check for `validate`. */
  check?(): Promise<void>;
  close?(): Promise<void>;
}

export interface SourceDeps {
  log: Logger;
  /** Directory of the config file: relative paths in source config resolve against it. */
  baseDir: string;
  /** Profile name, for keys and messages. */
  profile: string;
  /** For sources that keep state between reads (e.g. the Entra delta snapshot). */
  redis?: Redis;
  /** Key prefix for such state; includes the Cluster hash tag. */
  keyPrefix?: string;
}
