import { z } from 'zod';
import type { Source, SourceDeps, SourcePlugin } from './source.js';
import { csvSourcePlugin, csvSourceSchema } from './csv/index.js';
import { ldapSourcePlugin, ldapSourceSchema } from './ldap/index.js';
import { entraSourcePlugin, entraSourceSchema } from './entra/index.js';
import { JoinedSource, joinedMemberSchema, type JoinedSourceConfig } from './joined/index.js';
import { precedenceSchema, type Precedence } from './joined/schema.js';

export { precedenceSchema };

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

/** A profile's `sources:`: two or more sources, each named, joined into one directory. */
export const joinedSourcesSchema = z.array(joinedMemberSchema(sourceSchema)).min(2);

/** What a profile reads: one source, or several joined (`sources:`). */
export type ProfileSourceConfig = SourceConfig | JoinedSourceConfig<SourceConfig>;

/** A profile's `sources:` and `precedence:` as the one source config the rest of the app reads. */
export function joinedSource(
  sources: z.infer<typeof joinedSourcesSchema>,
  precedence: Precedence,
): ProfileSourceConfig {
  return { kind: 'joined', sources, precedence };
}

function pluginOf(config: SourceConfig): SourcePlugin<SourceConfig> {
  const plugin = SOURCE_PLUGINS.find((p) => p.kind === config.kind) as unknown as
    SourcePlugin<SourceConfig> | undefined;
  if (!plugin) throw new Error(`no source plug-in for kind ${config.kind}`);
  return plugin;
}

export function createSource(config: ProfileSourceConfig, deps: SourceDeps): Source {
  if (config.kind === 'joined') return new JoinedSource(config, deps, createSource);
  return pluginOf(config).create(config, deps);
}

/** The Redis keys a profile's source keeps, as suffixes of the profile's key prefix (SourcePlugin.stateKeys). */
export function sourceStateKeys(config: ProfileSourceConfig, profile: string): readonly string[] {
  // A joined source's members keep their state under their own names (JoinedSource's keyPrefix).
  if (config.kind === 'joined')
    return config.sources.flatMap((m) =>
      pluginOf(m.source)
        .stateKeys(m.source, profile)
        .map((k) => `${m.name}:${k}`),
    );
  return pluginOf(config).stateKeys(config, profile);
}
