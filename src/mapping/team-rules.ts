import type { MappingConfig } from '../config/schema.js';
import type { Group } from '../model/index.js';

export interface TeamRule {
  /** Team name for a group, or undefined when the group maps to no team. */
  teamFor(group: Group): string | undefined;
}

/** A list entry is an exact group name, or `/regex/flags`. */
function matcher(entries: string[]): (name: string) => boolean {
  const exact = new Set<string>();
  const patterns: RegExp[] = [];
  for (const e of entries) {
    const m = /^\/(.*)\/([imsu]*)$/.exec(e);
    if (m) patterns.push(new RegExp(m[1]!, m[2]));
    else exact.add(e);
  }
  return (name) => exact.has(name) || patterns.some((p) => p.test(name));
}

/** `$1`, `${1}` and `${name}` insert captures of the rule's match. */
function expand(template: string, match: RegExpExecArray): string {
  return template.replace(/\$(\d+)|\$\{(\w+)\}/g, (_, num: string | undefined, named: string | undefined) => {
    if (num !== undefined) return match[Number(num)] ?? '';
    if (/^\d+$/.test(named!)) return match[Number(named)] ?? '';
    return match.groups?.[named!] ?? '';
  }).trim();
}

/**
 * Precedence: exclude, then include (when set), then the explicit map (by group name or sourceId),
 * then the first matching regex rule.
 */
export function compileTeamRules(mapping: MappingConfig): TeamRule {
  const included = mapping.include.length > 0 ? matcher(mapping.include) : () => true;
  const excluded = matcher(mapping.exclude);
  const rules = mapping.rules.map((r) => ({ re: new RegExp(r.match, r.flags), team: r.team }));
  return {
    teamFor(group) {
      if (excluded(group.name) || !included(group.name)) return undefined;
      const explicit = mapping.groups[group.sourceId] ?? mapping.groups[group.name];
      if (explicit !== undefined) return explicit.trim() || undefined;
      for (const rule of rules) {
        const m = rule.re.exec(group.name);
        if (m) return expand(rule.team, m) || undefined;
      }
      return undefined;
    },
  };
}
