import type { Redis } from 'ioredis';
import type { Logger } from '../log/logger.js';
import type { SourceConfig } from '../config/schema.js';
import type { Source } from './source.js';
import { CsvSource } from './csv/index.js';
import { LdapSource } from './ldap/index.js';
import { EntraSource } from './entra/index.js';

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

type Factory<K extends SourceConfig['kind']> = (config: Extract<SourceConfig, { kind: K }>, deps: SourceDeps) => Source;

/** One line per connector: the config's `kind` picks it. */
const factories: { [K in SourceConfig['kind']]: Factory<K> } = {
  csv: (config, deps) => new CsvSource(config, deps),
  ldap: (config, deps) => new LdapSource(config, deps),
  entra: (config, deps) => new EntraSource(config, deps),
};

export function createSource(config: SourceConfig, deps: SourceDeps): Source {
  const factory = factories[config.kind] as Factory<typeof config.kind>;
  return factory(config, deps);
}
