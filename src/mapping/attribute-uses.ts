import type { Condition } from './conditions.js';
import { isPersonRule, namedCaptures, templateNames } from './patterns.js';

/** The parts of a mapping that read attributes (structural: the config schema calls this while it checks). */
interface AttributeRules {
  rules: {
    attribute?: string | undefined;
    match?: string | undefined;
    flags: string;
    team: string;
    org?: string | undefined;
    where?: Condition[] | undefined;
  }[];
  roles: {
    attribute?: string | undefined;
    match?: string | undefined;
    flags: string;
    org?: string | undefined;
    where?: Condition[] | undefined;
  }[];
  people: { where: Condition[] };
}

/** Where in the mapping an attribute is read (a config path under the profile), and which. */
export interface AttributeUse {
  path: (string | number)[];
  attribute: string;
}

/** Every attribute the mapping reads: rules, their conditions, templates and the scoping filter. */
export function attributesUsed(mapping: AttributeRules): AttributeUse[] {
  const out: AttributeUse[] = [];
  const conditions = (list: readonly Condition[] | undefined, path: (string | number)[]) =>
    (list ?? []).forEach((c, i) => {
      if (c.attribute !== undefined) out.push({ path: [...path, i, 'attribute'], attribute: c.attribute });
    });
  /** `${name}` in a template names an attribute, unless it is `value` or a named capture of `match`. */
  const templated = (t: string | undefined, captures: string[], path: (string | number)[]) => {
    for (const n of templateNames(t ?? ''))
      if (n !== 'value' && !captures.includes(n)) out.push({ path, attribute: n });
  };
  mapping.rules.forEach((r, i) => {
    const at = ['mapping', 'rules', i];
    if (r.attribute !== undefined) out.push({ path: [...at, 'attribute'], attribute: r.attribute });
    if (isPersonRule(r)) {
      const captures = r.attribute !== undefined ? namedCaptures(r.match, r.flags) : [];
      templated(r.team, captures, [...at, 'team']);
      templated(r.org, captures, [...at, 'org']);
    }
    conditions(r.where, [...at, 'where']);
  });
  mapping.roles.forEach((r, i) => {
    const at = ['mapping', 'roles', i];
    if (r.attribute !== undefined) {
      out.push({ path: [...at, 'attribute'], attribute: r.attribute });
      templated(r.org, namedCaptures(r.match, r.flags), [...at, 'org']);
    }
    conditions(r.where, [...at, 'where']);
  });
  conditions(mapping.people.where, ['mapping', 'people', 'where']);
  return out;
}
