import type { ProfileConfig } from '../config/schema.js';
import { ConfigError } from '../errors/index.js';
import { RESOURCE_TYPES, RESOURCE_TYPE_WORDS, type TargetCapabilities } from '../model/index.js';
import { ACCESS_LISTS } from '../mapping/access-rules.js';
import { levelOf } from '../plan/access-ops.js';

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
    for (const type of RESOURCE_TYPES) {
      const key = ACCESS_LISTS[type];
      const words = RESOURCE_TYPE_WORDS[type].many;
      if (!rule[key]) continue;
      const levels = caps.access.levels[type];
      if (!caps.access.types.includes(type) || !levels)
        throw new ConfigError(
          `${at}.${key}: the ${kind} target has no ${words} (it has ${caps.access.types.map((t) => RESOURCE_TYPE_WORDS[t].many).join(', ')})`,
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
