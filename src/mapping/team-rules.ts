import type { MappingConfig } from '../config/schema.js';
import type { Group } from '../model/index.js';
import { expandTemplate, listMatcher } from './patterns.js';

export interface TeamRule {
  /** Team name for a group, or undefined when the group maps to no team. */
  teamFor(group: Group): string | undefined;
}

/**
 * Precedence: exclude, then include (when set), then the explicit map (group sourceId first, then
 * name), then the first matching regex rule. An empty result (blank name) maps to no team.
 */
export function compileTeamRules(mapping: MappingConfig): TeamRule {
  const included = mapping.include.length > 0 ? listMatcher(mapping.include) : () => true;
  const excluded = listMatcher(mapping.exclude);
  // A Map, not the parsed object: a group named "constructor" must not find Object.prototype.
  const explicit = new Map(Object.entries(mapping.groups));
  const rules = mapping.rules.map((r) => ({ re: new RegExp(r.match, r.flags), team: r.team }));
  return {
    teamFor(group) {
      if (excluded(group.name) || !included(group.name)) return undefined;
      const named = explicit.get(group.sourceId) ?? explicit.get(group.name);
      if (named !== undefined) return named.trim() || undefined;
      for (const rule of rules) {
        const m = rule.re.exec(group.name);
        if (m) return expandTemplate(rule.team, m) || undefined;
      }
      return undefined;
    },
  };
}
