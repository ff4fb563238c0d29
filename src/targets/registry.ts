import { z } from 'zod';
import type { HttpHooks } from './http/http-client.js';
import type { Target, TargetKeys, TargetPlugin } from './target.js';
import { chartioPlugin, chartioTargetSchema } from './chartio/index.js';
import { grafanaPlugin, grafanaTargetSchema } from './grafana/index.js';
import { datacentralPlugin, datacentralTargetSchema } from './datacentral/index.js';
import { adminv3Plugin, adminv3TargetSchema } from './adminv3/index.js';
import { scimPlugin, scimTargetSchema } from './scim/index.js';

/** One line per target kind: the plug-in and its config schema; the config's `kind` picks it. */
const REGISTRY = [
  [chartioPlugin, chartioTargetSchema],
  [grafanaPlugin, grafanaTargetSchema],
  [datacentralPlugin, datacentralTargetSchema],
  [adminv3Plugin, adminv3TargetSchema],
  [scimPlugin, scimTargetSchema],
] as const;

export const TARGET_PLUGINS: readonly TargetPlugin<never>[] = REGISTRY.map(([p]) => p as TargetPlugin<never>);

/** The config's target: a union of every plug-in's schema, keyed by `kind`. */
export const targetSchema = z.discriminatedUnion('kind', [REGISTRY[0][1], ...REGISTRY.slice(1).map(([, s]) => s)]);
export type TargetConfig = z.infer<typeof targetSchema>;

export const TARGET_KINDS = TARGET_PLUGINS.map((p) => p.kind);

/** `keys`: how the target's messages name its config keys (keysUnder(origins, ['targets', name])). */
export function createTarget(config: TargetConfig, hooks: HttpHooks = {}, keys?: TargetKeys): Target {
  const plugin = TARGET_PLUGINS.find((p) => p.kind === config.kind) as unknown as
    TargetPlugin<TargetConfig> | undefined;
  if (!plugin) throw new Error(`no target plug-in for kind ${config.kind}`);
  return plugin.create(config, hooks, keys);
}
