import type { ResourceRef, ResourceType } from '../model/index.js';
import { expandWith, namedCaptures, parseListEntry, regexError, slashed, TEMPLATE, templateNames } from './patterns.js';

/** An access rule as configured (config/access-schema.ts), its resource lists by type. */
export interface AccessRule {
  teams: string[];
  level: string;
  dashboards?: AccessEntry[] | undefined;
  datasources?: AccessEntry[] | undefined;
  folders?: AccessEntry[] | undefined;
}

export type AccessEntry = string | { id: string };

/** The key of an access rule that lists each type's resources. */
export const ACCESS_LISTS = { dashboard: 'dashboards', datasource: 'datasources', folder: 'folders' } as const;

/** One resource entry of a rule, for one team: what it matches, and how the plan names it. */
export interface TeamAccess {
  /** 1-based, as the plan's reasons name it. */
  rule: number;
  level: string;
  type: ResourceType;
  /** The entry in the config's words (`"Sales - *"`, `/^Analytics - /`, `id 12`), expanded for the team. */
  entry: string;
  matches(r: ResourceRef): boolean;
}

/** Which resources the rules can reach, whichever team: what the target read lists and reads grants of. */
export interface CompiledAccess {
  rules: readonly AccessRule[];
  types: ResourceType[];
  /** A resource some entry can match for some team (a `${name}` in an entry stands for any text). */
  reaches(r: ResourceRef): boolean;
  /** What one team gets: every entry of every rule whose `teams` match its name. */
  forTeam(name: string): TeamAccess[];
}

const HAS_TEMPLATE = new RegExp(TEMPLATE.source);
const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** What is wrong with a title entry given the rule's team entries (a bad regex, a capture no team pattern has). */
export function accessEntryProblem(entry: string, teams: readonly string[]): string | undefined {
  const m = slashed(entry);
  if (m) {
    try {
      new RegExp(m.source.replace(TEMPLATE, '(?:)'), m.flags);
    } catch (err) {
      return `not a valid /regex/: ${regexError(err)}`;
    }
  }
  const names = templateNames(entry);
  if (names.length === 0) return undefined;
  const captured = new Set<string>();
  for (const t of teams) {
    const p = parseListEntry(t);
    if (p.kind === 'regex') for (const n of namedCaptures(p.re.source, p.re.flags)) captured.add(n);
  }
  const missing = names.filter((n) => !captured.has(n));
  return missing.length > 0
    ? `uses \${${missing[0]}} but no team pattern of this rule has a group named "${missing[0]}" (teams: /(?<${missing[0]}>...)/)`
    : undefined;
}

/** The captures of a team named exactly: none. */
const NO_MATCH = Object.assign([''], { index: 0, input: '' }) as unknown as RegExpExecArray;

/** One title entry, expanded for a team's match: exact or a regex. */
function titleMatcher(entry: string, match: RegExpExecArray | undefined): ((title: string) => boolean) | undefined {
  const m = slashed(entry);
  const fake = match ?? NO_MATCH;
  if (!m) {
    const title = expandWith(entry, fake, () => undefined);
    if (title === undefined) return undefined;
    if (!title.includes('*')) return (t) => t === title;
    const glob = globRegex(title);
    return (t) => glob.test(t);
  }
  // Captured text goes into a pattern as itself, never as pattern syntax.
  const escaped = Object.assign(
    [...fake].map((v) => (v === undefined ? v : escapeRegex(v))),
    {
      index: fake.index,
      input: fake.input,
      groups: fake.groups
        ? Object.fromEntries(Object.entries(fake.groups).map(([k, v]) => [k, v === undefined ? v : escapeRegex(v)]))
        : undefined,
    },
  ) as unknown as RegExpExecArray;
  const source = expandWith(m.source, escaped, () => undefined);
  if (source === undefined) return undefined;
  const re = new RegExp(source, m.flags);
  return (t) => re.test(t);
}

/** The same entry for any team: each `${name}` stands for any text (the read cannot know the teams yet). */
function anyTeamMatcher(entry: string): (title: string) => boolean {
  const m = slashed(entry);
  if (!m) {
    if (!HAS_TEMPLATE.test(entry) && !entry.includes('*')) return (t) => t === entry.trim();
    // Each `${name}` stands for any text, as a `*` does.
    const re = globRegex(
      entry
        .trim()
        .split(TEMPLATE)
        .filter((_, i) => i % 3 === 0)
        .join('*'),
    );
    return (t) => re.test(t);
  }
  const re = new RegExp(m.source.replace(TEMPLATE, '(?:.*)'), m.flags);
  return (t) => re.test(t);
}

/** A title with `*` as "any text" (a plain title's only wildcard; `/regex/` for more). */
const globRegex = (title: string) => new RegExp(`^${title.split('*').map(escapeRegex).join('.*')}$`, 's');

const entryWords = (e: AccessEntry): string => (typeof e === 'string' ? `"${e}"` : `id ${e.id}`);

export function compileAccess(rules: readonly AccessRule[]): CompiledAccess {
  const types = (Object.keys(ACCESS_LISTS) as ResourceType[]).filter((type) =>
    rules.some((r) => r[ACCESS_LISTS[type]]),
  );
  const scope = rules.flatMap((r) =>
    types.flatMap((type) =>
      (r[ACCESS_LISTS[type]] ?? []).map((e) => {
        if (typeof e !== 'string') return (x: ResourceRef) => x.type === type && x.id === e.id;
        const test = anyTeamMatcher(e);
        return (x: ResourceRef) => x.type === type && test(x.title);
      }),
    ),
  );
  const teamTests = rules.map((r) =>
    r.teams.map((t) => {
      const p = parseListEntry(t);
      return p.kind === 'exact'
        ? (name: string) => (name === p.name ? null : undefined)
        : (name: string) => p.re.exec(name) ?? undefined;
    }),
  );
  return {
    rules,
    types,
    reaches: (x) => scope.some((f) => f(x)),
    forTeam(name) {
      const out: TeamAccess[] = [];
      rules.forEach((r, i) => {
        let match: RegExpExecArray | null | undefined;
        for (const test of teamTests[i]!) if ((match = test(name)) !== undefined) break;
        if (match === undefined) return;
        for (const type of types)
          for (const e of r[ACCESS_LISTS[type]] ?? []) {
            if (typeof e !== 'string') {
              out.push({ rule: i + 1, level: r.level, type, entry: entryWords(e), matches: (x) => x.id === e.id });
              continue;
            }
            const test = titleMatcher(e, match ?? undefined);
            if (!test) continue;
            const expanded = slashed(e) ? e : expandWith(e, match ?? NO_MATCH, () => '');
            out.push({ rule: i + 1, level: r.level, type, entry: `"${expanded ?? e}"`, matches: (x) => test(x.title) });
          }
      });
      return out;
    },
  };
}
