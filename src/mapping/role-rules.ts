import type { MappingConfig } from '../config/schema.js';
import type { Group } from '../model/index.js';
import { groupScope } from './team-rules.js';
import { isPersonRule } from './patterns.js';

export interface GroupRole {
  role: string;
  /** Undefined: target-wide, or the target's own org. */
  org?: string;
  /** For the plan: "member of Platform Admins". */
  reason: string;
}

/** Every role rule that names a group (by sourceId or name, or by regex on the name), in rule order. */
export function compileRoleRules(mapping: MappingConfig): (group: Group) => GroupRole[] {
  const inScope = groupScope(mapping);
  const rules = mapping.roles
    .filter((r) => !isPersonRule(r))
    .map((r) => ({
      ...r,
      re: r.match !== undefined ? new RegExp(r.match, r.flags) : undefined,
    }));
  return (group) => {
    if (rules.length === 0 || !inScope(group)) return [];
    const out: GroupRole[] = [];
    for (const r of rules) {
      const hit = r.re ? r.re.test(group.name) : r.group === group.sourceId || r.group === group.name;
      if (hit) out.push({ role: r.role, ...(r.org ? { org: r.org } : {}), reason: `member of ${group.name}` });
    }
    return out;
  };
}

/**
 * Role rules that give nobody anything: a group named that the directory lacks (a typo demotes
 * every holder of the role), or a pattern no group name matches. One warning each, naming the rule.
 */
export function unmatchedRoleRules(mapping: MappingConfig, groups: Iterable<Group>): string[] {
  const all = [...groups];
  return mapping.roles.flatMap((r, i) => {
    if (isPersonRule(r)) return [];
    const where = `mapping.roles[${i}]`;
    if (r.match !== undefined) {
      const re = new RegExp(r.match, r.flags);
      return all.some((g) => re.test(g.name))
        ? []
        : [`${where}: /${r.match}/ matches no group in the directory: nobody gets ${r.role} from it`];
    }
    return all.some((g) => g.sourceId === r.group || g.name === r.group)
      ? []
      : [`${where}: group "${r.group}" is not in the directory: nobody gets ${r.role} from it (a typo in the name?)`];
  });
}
