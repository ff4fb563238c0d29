import { targetOf, type Config, type ProfileConfig } from '../config/schema.js';
import { checkAccessFits } from './access-fits.js';
import { loadConfig, type LoadedConfig } from '../config/load-config.js';
import { keysUnder, whatToFix, type Origins } from '../config/origins.js';
import { ConfigError } from '../errors/index.js';
import { createLogger, type Logger } from '../log/logger.js';
import type { LogFormat } from '../log/text-format.js';
import type { Redis } from 'ioredis';
import { createSource } from '../sources/registry.js';
import { sourceStatePrefix } from '../store/keys.js';
import type { Source } from '../sources/source.js';
import type { HttpHooks } from '../targets/http/http-client.js';
import { createTarget } from '../targets/registry.js';
import type { Target, TargetKeys } from '../targets/target.js';

export interface App {
  config: Config;
  configPath: string;
  baseDir: string;
  profile: ProfileConfig;
  log: Logger;
  source: Source;
  target: Target;
  /** The name of the profile's target (`default` for a single `target:`). */
  targetName: string;
}

export function pickProfile(config: Config, name?: string): ProfileConfig {
  if (name === undefined) return config.profiles[0]!;
  const found = config.profiles.find((p) => p.name === name);
  if (!found)
    throw new ConfigError(
      `profile "${name}" is not in the config (profiles: ${config.profiles.map((p) => p.name).join(', ')})`,
      'profiles',
    );
  return found;
}

/**
 * How the messages of the target `name` (targetOf's) name its keys: `target.token`, or
 * `targets.<name>.token`, and what to fix for a refused credential (its variable or secret file).
 */
export function targetKeys(config: Config, name: string, origins?: Origins): TargetKeys {
  return keysUnder(origins, config.target ? ['target'] : ['targets', name]);
}

export interface WireOptions {
  profile?: string;
  log?: Logger;
  /** How the logger made here writes (unused with `log`). @defaultValue 'json' */
  logFormat?: LogFormat;
  /** HTTP hooks for a target, by target name (the runtime plugs in its budgets here). */
  hooksFor?: (targetName: string) => HttpHooks;
  /** For sources that keep state between reads (the keys their plug-in names in `stateKeys`). */
  redis?: Redis;
}

/**
 * Config -> logger, profile, source and target: the one wiring point. It opens nothing, so a bad
 * key (a target URL without https, say) fails here, before any connection exists to close.
 */
export async function openApp(configPath: string, opts: WireOptions = {}): Promise<App> {
  return wireApp(await loadConfig(configPath), opts);
}

export function wireApp(loaded: LoadedConfig, opts: WireOptions = {}): App {
  const { config } = loaded;
  const log = opts.log ?? createLogger({ level: config.log.level }, opts.logFormat);
  const profile = pickProfile(config, opts.profile);
  const { name: targetName, config: targetConfig } = targetOf(config, profile);
  const target = createTarget(
    targetConfig,
    opts.hooksFor?.(targetName) ?? {},
    targetKeys(config, targetName, loaded.origins),
  );
  checkAccessFits(profile, config.profiles.indexOf(profile), target.capabilities, target.kind);
  // What the mapping will need of the source: the target's mapOptions before any read (units that
  // mirror the groups, direct membership) say whether the group nesting itself must be read.
  const shape = target.mapOptions?.() ?? {};
  const source = createSource(profile.source, {
    log: log.child({ profile: profile.name }),
    nesting: shape.units === 'groups' || shape.directMembership === true,
    baseDir: loaded.baseDir,
    profile: profile.name,
    // A joined profile's members name their keys from the profile (`sources.0.source.bindPassword`).
    keyToFix: (key) => {
      const parts = profile.sources ? key.split('.').map((k) => (/^\d+$/.test(k) ? Number(k) : k)) : ['source', key];
      return whatToFix(
        loaded.origins,
        ['profiles', config.profiles.indexOf(profile), ...parts],
        `profiles.${profile.name}.${parts.join('.')}`,
      );
    },
    ...(opts.redis ? { redis: opts.redis, keyPrefix: sourceStatePrefix(config.redis.prefix, profile.name) } : {}),
  });
  return { config, configPath: loaded.path, baseDir: loaded.baseDir, profile, log, source, target, targetName };
}
