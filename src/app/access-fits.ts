import type { ProfileConfig } from '../config/schema.js';
import { ConfigError } from '../errors/index.js';
import type { TargetCapabilities } from '../model/index.js';
import { levelOf } from '../plan/access-ops.js';

const LISTS = [
  ['dashboards', 'dashboard', 'dashboards'],
  ['datasources', 'datasource', 'data sources'],
  ['folders', 'folder', 'folders'],
] as const;

/**
 * A profile's access rules against what its target has: resource types it lacks and levels it does
 * not know are config errors at start-up, naming the key, never a surprise in the middle of a run.
 */
export function checkAccessFits(profile: ProfileConfig, index: number, caps: TargetCapabilities, kind: string): void {
  profile.access.forEach((rule, i) => {
    const at = `profiles[${index}].access[${i}]`;
    if (!caps.access)
      throw new ConfigError(
        `${at}: the ${kind} target has no permissions API: remove profiles.${profile.name}.access`,
        at,
      );
    for (const [key, type, words] of LISTS) {
      if (!rule[key]) continue;
      const levels = caps.access.levels[type];
      if (!caps.access.types.includes(type) || !levels)
        throw new ConfigError(
          `${at}.${key}: the ${kind} target has no ${words} (it has ${caps.access.types.map((t) => `${t}s`).join(', ')})`,
          `${at}.${key}`,
        );
      if (levelOf(caps.access, type, rule.level) === undefined)
        throw new ConfigError(
          `${at}.level: "${rule.level}" is not a level of ${kind} ${words} (levels: ${levels.join(', ')})`,
          `${at}.level`,
        );
    }
  });
}
