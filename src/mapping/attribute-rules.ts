import type { MappingConfig } from '../config/schema.js';
import type { Person } from '../model/index.js';
import { compileConditions, conditionText, remembered, type ConditionContext } from './conditions.js';
import { expandWith, isPersonRule, namedCaptures, templateNames } from './patterns.js';
import type { GroupRole } from './role-rules.js';

/** A team an attribute or condition rule gives a person. */
export interface RuleTeam {
  team: string;
  org?: string;
  /**
   * What produces the team: `attr:<attribute>=<value>` (keyed like a group: the team follows the
   * value, and is emptied once nobody has it), or `rule:<index>` for a team named by conditions.
   */
  producer: string;
  /** The producer in words for the plan: `department = Sales`. */
  display: string;
  reason: string;
}

export interface RuleGrants {
  teams: RuleTeam[];
  roles: GroupRole[];
}

type TeamRuleConfig = MappingConfig['rules'][number];
type RoleRuleConfig = MappingConfig['roles'][number];

const firstValue = (p: Person, name: string) => p.attributes?.[name]?.[0];

interface Valued {
  value: string;
  match: RegExpExecArray;
}

/** The values of the rule's attribute that its `match` (if any) accepts, with the match. */
function valuesOf(p: Person, attribute: string, re: RegExp | undefined): Valued[] {
  return (p.attributes?.[attribute] ?? []).flatMap((value) => {
    const match = re ? re.exec(value) : Object.assign([value, value], { index: 0, input: value, groups: undefined });
    return match ? [{ value, match: match as RegExpExecArray }] : [];
  });
}

function compileTeamRule(r: TeamRuleConfig, index: number) {
  const re = r.attribute !== undefined && r.match !== undefined ? new RegExp(r.match, r.flags) : undefined;
  const where = compileConditions(r.where ?? []);
  const whereText = (r.where ?? []).map(conditionText);
  const captures = namedCaptures(r.match, r.flags);
  const othersUsed = [r.team, r.org ?? ''].some((t) =>
    templateNames(t).some((n) => n !== 'value' && !captures.includes(n)),
  );
  const teamOfValue = (value: string): RuleTeam | undefined => {
    const match = re ? re.exec(value) : Object.assign([value, value], { index: 0, input: value, groups: undefined });
    if (!match) return undefined;
    const named = (name: string) => (name === 'value' ? value : undefined);
    const team = expandWith(r.team, match as RegExpExecArray, named);
    const org = r.org === undefined ? undefined : expandWith(r.org, match as RegExpExecArray, named);
    if (!team || org === '') return undefined;
    const display = `${r.attribute} = ${value}`;
    return {
      team,
      ...(org ? { org } : {}),
      producer: `attr:${r.attribute}=${value}`,
      display,
      reason: [display, ...whereText].join(' and '),
    };
  };
  // When the team depends on the value alone, each distinct value is expanded once, for everyone who has it.
  const teamOf = r.attribute !== undefined && !othersUsed ? remembered(teamOfValue) : undefined;
  const why = whereText.join(' and ');
  const conditionTeam = (p: Person) => teamOfConditions(r, `rule:${index}`, why, p);
  // Names that use no attribute give everyone who meets the conditions the same team: made once.
  const sameForAll = r.attribute === undefined && [r.team, r.org ?? ''].every((t) => templateNames(t).length === 0);
  let fixed: RuleTeam | undefined | null = null;
  // Pushes onto `out` (one list for all rules of a person): this runs for every person.
  return (p: Person, ctx: ConditionContext, out: RuleTeam[]): void => {
    if (where(p, ctx) !== true) return;
    if (r.attribute === undefined) {
      const t = !sameForAll ? conditionTeam(p) : fixed === null ? (fixed = conditionTeam(p)) : fixed;
      if (t) out.push(t);
      return;
    }
    const attribute = r.attribute;
    const values = p.attributes?.[attribute];
    if (values === undefined) return;
    if (teamOf) {
      for (const value of values) {
        const t = teamOf(value);
        if (t) out.push(t);
      }
      return;
    }
    for (const t of teamsOfValues(r, re, whereText, p, attribute)) out.push(t);
  };
}

/** The team a rule on conditions alone gives one person: its names may use the person's attributes. */
function teamOfConditions(r: TeamRuleConfig, producer: string, why: string, p: Person): RuleTeam | undefined {
  const named = (name: string) => firstValue(p, name);
  const empty = Object.assign([''], { index: 0, input: '', groups: undefined }) as RegExpExecArray;
  const team = expandWith(r.team, empty, named);
  const org = r.org === undefined ? undefined : expandWith(r.org, empty, named);
  if (!team || org === '') return undefined;
  return { team, ...(org ? { org } : {}), producer, display: why, reason: why };
}

/**
 * The teams a rule on an attribute gives one person when its names also use other attributes: the
 * producer then names those values too, so the team follows each of them.
 */
function teamsOfValues(
  r: TeamRuleConfig,
  re: RegExp | undefined,
  whereText: string[],
  p: Person,
  attribute: string,
): RuleTeam[] {
  return valuesOf(p, attribute, re).flatMap(({ value, match }) => {
    const used: string[] = [];
    const named = (name: string) => {
      if (name === 'value') return value;
      const v = firstValue(p, name);
      if (v !== undefined) used.push(`${name}=${v}`);
      return v;
    };
    const team = expandWith(r.team, match, named);
    const org = r.org === undefined ? undefined : expandWith(r.org, match, named);
    if (!team || org === '') return [];
    const display = `${attribute} = ${value}`;
    return [
      {
        team,
        ...(org ? { org } : {}),
        producer: `attr:${attribute}=${value}${used.length > 0 ? `;${[...new Set(used)].join(';')}` : ''}`,
        display,
        reason: [display, ...whereText].join(' and '),
      },
    ];
  });
}

function compileRoleRule(r: RoleRuleConfig) {
  const re = r.attribute !== undefined && r.match !== undefined ? new RegExp(r.match, r.flags) : undefined;
  const where = compileConditions(r.where ?? []);
  const whereText = (r.where ?? []).map(conditionText);
  return (p: Person, ctx: ConditionContext): GroupRole[] => {
    if (where(p, ctx) !== true) return [];
    if (r.attribute === undefined)
      return [{ role: r.role, ...(r.org ? { org: r.org } : {}), reason: whereText.join(' and ') }];
    const attribute = r.attribute;
    return valuesOf(p, attribute, re).flatMap(({ value, match }) => {
      const org =
        r.org === undefined ? undefined : expandWith(r.org, match, (n) => (n === 'value' ? value : firstValue(p, n)));
      if (org === '') return [];
      return [
        { role: r.role, ...(org ? { org } : {}), reason: [`${attribute} = ${value}`, ...whereText].join(' and ') },
      ];
    });
  };
}

/**
 * The mapping's rules on people (attributes and conditions) as one function: the teams and roles
 * they give a person. Rules on groups are compiled elsewhere (team-rules.ts, role-rules.ts).
 */
export function compilePersonRules(
  mapping: MappingConfig,
): ((p: Person, ctx: ConditionContext) => RuleGrants) | undefined {
  const teams = mapping.rules.flatMap((r, i) => (isPersonRule(r) ? [compileTeamRule(r, i)] : []));
  const roles = mapping.roles.filter(isPersonRule).map(compileRoleRule);
  if (teams.length === 0 && roles.length === 0) return undefined;
  return (p, ctx) => {
    const out: RuleTeam[] = [];
    for (const t of teams) t(p, ctx, out);
    return { teams: out, roles: roles.length === 0 ? [] : roles.flatMap((r) => r(p, ctx)) };
  };
}
