import type { MappingConfig } from '../config/schema.js';
import type { Group } from '../model/index.js';
import { expandTemplate, isPersonRule, listMatcher } from './patterns.js';

export interface TeamTarget {
  team: string;
  /** The org named by the rule (targets with orgs); undefined: the target's own org. */
  org?: string;
}

export interface TeamRule {
  /** Team for a group, or undefined when the group maps to no team. */
  teamFor(group: Group): TeamTarget | undefined;
}

/**
 * Precedence: exclude, then include (when set), then the explicit map (group sourceId first, then
 * name), then the first matching regex rule. An empty result (blank name) maps to no team.
 */
export function compileTeamRules(mapping: MappingConfig): TeamRule {
  const inScope = groupScope(mapping);
  // A Map, not the parsed object: a group named "constructor" must not find Object.prototype.
  const explicit = new Map(Object.entries(mapping.groups));
  // Rules on people (attributes, conditions) are attribute-rules.ts's.
  const rules = mapping.rules.flatMap((r) =>
    r.match !== undefined && !isPersonRule(r) ? [{ re: new RegExp(r.match, r.flags), team: r.team, org: r.org }] : [],
  );
  return {
    teamFor(group) {
      if (!inScope(group)) return undefined;
      const named = explicit.get(group.sourceId) ?? explicit.get(group.name);
      if (named !== undefined) return named.trim() ? { team: named.trim() } : undefined;
      for (const rule of rules) {
        const m = rule.re.exec(group.name);
        if (!m) continue;
        const team = expandTemplate(rule.team, m);
        return team ? { team, ...(rule.org ? { org: rule.org } : {}) } : undefined;
      }
      return undefined;
    },
  };
}

/** include / exclude: which groups the mapping looks at at all (teams and roles alike). */
export function groupScope(mapping: MappingConfig): (group: Group) => boolean {
  const included = mapping.include.length > 0 ? listMatcher(mapping.include) : () => true;
  const excluded = listMatcher(mapping.exclude);
  return (group) => !excluded(group.name) && included(group.name);
}
