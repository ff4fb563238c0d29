import type { Config, ProfileConfig } from '../config/schema.js';
import { loadConfig } from '../config/load-config.js';
import { ConfigError } from '../errors/index.js';
import { createLogger, type Logger } from '../log/logger.js';
import { createSource } from '../sources/registry.js';
import type { Source } from '../sources/source.js';
import { createTarget, type TargetHooks } from '../targets/registry.js';
import type { Target } from '../targets/target.js';

export interface App {
  config: Config;
  configPath: string;
  baseDir: string;
  profile: ProfileConfig;
  log: Logger;
  source: Source;
  target: Target;
}

export function pickProfile(config: Config, name?: string): ProfileConfig {
  if (name === undefined) return config.profiles[0]!;
  const found = config.profiles.find((p) => p.name === name);
  if (!found) throw new ConfigError(`profile "${name}" is not in the config (profiles: ${config.profiles.map((p) => p.name).join(', ')})`, 'profiles');
  return found;
}

/** Config -> logger, source and target: the one wiring point shared by every command. */
export async function openApp(configPath: string, opts: { profile?: string; log?: Logger; targetHooks?: TargetHooks } = {}): Promise<App> {
  const loaded = await loadConfig(configPath);
  const log = opts.log ?? createLogger({ level: loaded.config.log.level });
  const profile = pickProfile(loaded.config, opts.profile);
  const source = createSource(profile.source, { log: log.child({ profile: profile.name }), baseDir: loaded.baseDir, profile: profile.name });
  const target = createTarget(loaded.config.target, opts.targetHooks);
  return { config: loaded.config, configPath: loaded.path, baseDir: loaded.baseDir, profile, log, source, target };
}
