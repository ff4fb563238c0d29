import type { SourceConfig } from '../../../src/config/schema.js';
import type { ChangeStep, ConfAttribute, ConfDirectory } from './directory.js';

/** What the suite hands an adapter: servers the vitest project started once for the run. */
export interface AdapterContext {
  /** The Samba AD DC (project `ad`'s globalSetup). */
  ad: { url: string; baseDn: string; bindDn: string; password: string };
  /** Test CA and server certificate; the CA is trusted by the workers (NODE_EXTRA_CA_CERTS). */
  tls: { ca: string; cert: string; key: string };
  /** Unique per adapter and run, for names in shared servers (an OU in the DC, a Redis key prefix). */
  runId: string;
}

/**
 * How one source kind (and, for LDAP, one server dialect) is put through the conformance suite:
 * write the directory into its server, give the profile's source config, make a change.
 */
export interface ConformanceAdapter {
  /** The registered source kind (src/sources/registry.ts) this adapter proves. */
  kind: SourceConfig['kind'];
  /** For test titles, e.g. "OpenLDAP (slapd)". */
  name: string;
  /**
   * How the source reports nesting. `parents`: direct groups per person, nesting as Group.parentIds.
   * `resolved`: every group a person is in at any depth, no parents (as documented for the source).
   */
  nesting: 'parents' | 'resolved';
  /**
   * Present when the source has an incremental read. `seesDeletions: false` where the source's docs
   * say a deleted person shows only in a full read (LDAP): the suite asserts exactly that difference.
   */
  incremental?: { seesDeletions: boolean };
  /**
   * The attribute each of the suite's attributes is written as (one the server's schema has), and
   * listed as in `source.attributes` when the directory carries it: what mapping rules name.
   */
  attributeNames: Record<ConfAttribute, string>;
  /** Starts the server (or joins the shared one) and writes `dir` into it. Fails loudly. */
  load(dir: ConfDirectory, ctx: AdapterContext): Promise<LoadedDirectory>;
}

export interface LoadedDirectory {
  /** The profile's `source:` config for this directory. */
  config: SourceConfig;
  /** Makes `steps` in the server, in order, starting from `dir` (the directory as loaded). */
  apply(steps: ChangeStep[], dir: ConfDirectory): Promise<void>;
  /** Stops what load started and removes what it wrote into shared servers. */
  close(): Promise<void>;
}
