import type { SourceConfig } from '../config/schema.js';
import type { Source, SourceDeps } from './source.js';

export type { SourceDeps } from './source.js';
import { CsvSource } from './csv/index.js';
import { LdapSource } from './ldap/index.js';
import { EntraSource } from './entra/index.js';

type Factory<K extends SourceConfig['kind']> = (config: Extract<SourceConfig, { kind: K }>, deps: SourceDeps) => Source;

/** One line per connector: the config's `kind` picks it. */
const factories: { [K in SourceConfig['kind']]: Factory<K> } = {
  csv: (config, deps) => new CsvSource(config, deps),
  ldap: (config, deps) => new LdapSource(config, deps),
  entra: (config, deps) => new EntraSource(config, deps),
};

/** Every registered kind, for the source conformance suite (test/integration/conformance). */
export const SOURCE_KINDS = Object.keys(factories) as SourceConfig['kind'][];

export function createSource(config: SourceConfig, deps: SourceDeps): Source {
  const factory = factories[config.kind] as Factory<typeof config.kind>;
  return factory(config, deps);
}
