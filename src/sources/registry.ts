import { z } from 'zod';
import type { Source, SourceDeps, SourcePlugin } from './source.js';
import { csvSourcePlugin, csvSourceSchema } from './csv/index.js';
import { ldapSourcePlugin, ldapSourceSchema } from './ldap/index.js';
import { entraSourcePlugin, entraSourceSchema } from './entra/index.js';

export type { SourceDeps } from './source.js';

/** One line per source kind: the plug-in and its config schema; the config's `kind` picks it. */
const REGISTRY = [
  [csvSourcePlugin, csvSourceSchema],
  [ldapSourcePlugin, ldapSourceSchema],
  [entraSourcePlugin, entraSourceSchema],
] as const;

export const SOURCE_PLUGINS: readonly SourcePlugin<never>[] = REGISTRY.map(([p]) => p as SourcePlugin<never>);

/** A profile's source: a union of every plug-in's schema, keyed by `kind`. */
export const sourceSchema = z.discriminatedUnion('kind', [REGISTRY[0][1], ...REGISTRY.slice(1).map(([, s]) => s)]);
export type SourceConfig = z.infer<typeof sourceSchema>;

export const SOURCE_KINDS: string[] = SOURCE_PLUGINS.map((p) => p.kind);

function pluginOf(config: SourceConfig): SourcePlugin<SourceConfig> {
  const plugin = SOURCE_PLUGINS.find((p) => p.kind === config.kind) as unknown as
    SourcePlugin<SourceConfig> | undefined;
  if (!plugin) throw new Error(`no source plug-in for kind ${config.kind}`);
  return plugin;
}

export function createSource(config: SourceConfig, deps: SourceDeps): Source {
  return pluginOf(config).create(config, deps);
}

/** The Redis keys a profile's source keeps, as suffixes of the profile's key prefix (SourcePlugin.stateKeys). */
export function sourceStateKeys(config: SourceConfig, profile: string): readonly string[] {
  return pluginOf(config).stateKeys(config, profile);
}
