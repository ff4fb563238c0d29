/**
 * The small languages of the mapping config, shared by the mapper and by config validation (so a
 * bad pattern or template is reported at load time with its line, not in the middle of a run).
 */

const SLASHED = /^\/(.*)\/([dgimsuy]*)$/s;

/** A `/regex/flags` entry's source and flags, or undefined for a plain name. */
export function slashed(entry: string): { source: string; flags: string } | undefined {
  const m = SLASHED.exec(entry);
  // `g` and `y` make test() stateful (lastIndex): drop them, an entry is a plain yes/no.
  return m ? { source: m[1]!, flags: m[2]!.replace(/[gy]/g, '') } : undefined;
}

/** A group list entry: an exact group name, or `/regex/flags`. Throws SyntaxError on a bad regex. */
export function parseListEntry(entry: string): { kind: 'exact'; name: string } | { kind: 'regex'; re: RegExp } {
  const m = slashed(entry);
  return m ? { kind: 'regex', re: new RegExp(m.source, m.flags) } : { kind: 'exact', name: entry };
}

/** Name matcher for an include/exclude list. */
export function listMatcher(entries: readonly string[]): (name: string) => boolean {
  const exact = new Set<string>();
  const patterns: RegExp[] = [];
  for (const e of entries) {
    const p = parseListEntry(e);
    if (p.kind === 'exact') exact.add(p.name);
    else patterns.push(p.re);
  }
  return (name) => exact.has(name) || patterns.some((re) => re.test(name));
}

/** `$$` (a literal $), `$1`, `${1}`, `${name}`. Any other `$` is literal. */
/** `${name}`, `${1}`, `$1` and `$$` in a template (global: for replace and matchAll). */
export const TEMPLATE = /\$\$|\$(\d+)|\$\{(\d+|[A-Za-z_][A-Za-z0-9_]*)\}/g;

type Ref = { kind: 'number'; n: number } | { kind: 'name'; name: string };

function refOf(num: string | undefined, braced: string | undefined): Ref | undefined {
  if (num !== undefined) return { kind: 'number', n: Number(num) };
  if (braced === undefined) return undefined;
  return /^\d+$/.test(braced) ? { kind: 'number', n: Number(braced) } : { kind: 'name', name: braced };
}

/** Team name from a rule's template and its match; trimmed. A group that did not take part inserts "". */
export function expandTemplate(template: string, match: RegExpExecArray): string {
  return template
    .replace(TEMPLATE, (all, num: string | undefined, braced: string | undefined) => {
      const ref = refOf(num, braced);
      if (!ref) return '$';
      return (ref.kind === 'number' ? match[ref.n] : match.groups?.[ref.name]) ?? '';
    })
    .trim();
}

/** What is wrong with a rule (bad regex, a template naming a group the pattern lacks), or undefined. */
export function checkRule(match: string, flags: string, team: string): string | undefined {
  let re: RegExp;
  try {
    re = new RegExp(match, flags);
  } catch (err) {
    return `not a valid regular expression: ${regexError(err)}`;
  }
  // Matching the empty alternative reveals the capture groups without needing a matching name.
  const probe = new RegExp(`${re.source}|`, flags).exec('')!;
  const count = probe.length - 1;
  const names = new Set(Object.keys(probe.groups ?? {}));
  for (const m of team.matchAll(TEMPLATE)) {
    const ref = refOf(m[1], m[2]);
    if (ref?.kind === 'number' && ref.n > count)
      return `team template uses capture ${ref.n} but the pattern has ${count} capture group(s)`;
    if (ref?.kind === 'name' && !names.has(ref.name))
      return `team template uses \${${ref.name}} but the pattern has no group named "${ref.name}"`;
  }
  return undefined;
}

/** What is wrong with an include/exclude entry, or undefined. */
export function checkListEntry(entry: string): string | undefined {
  try {
    parseListEntry(entry);
    return undefined;
  } catch (err) {
    return `not a valid /regex/: ${regexError(err)}`;
  }
}

/** A RegExp's SyntaxError message without its stock prefix. */
export function regexError(err: unknown): string {
  return (err as Error).message.replace(/^Invalid regular expression: /, '');
}

/** The named references (`${name}`) of a template. */
export function templateNames(template: string): string[] {
  return [...template.matchAll(TEMPLATE)].flatMap((m) => {
    const ref = refOf(m[1], m[2]);
    return ref?.kind === 'name' ? [ref.name] : [];
  });
}

/**
 * An attribute rule: `match` (optional) is tested against each value; its team template may use
 * captures, `${value}` (the whole value) and `${<attribute>}` (another attribute's first value,
 * checked against source.attributes with the profile). What is wrong, or undefined.
 */
export function checkAttributeRule(match: string, flags: string, team: string): string | undefined {
  let re: RegExp;
  try {
    re = new RegExp(match, flags);
  } catch (err) {
    return `not a valid regular expression: ${regexError(err)}`;
  }
  const count = new RegExp(`${re.source}|`, flags).exec('')!.length - 1;
  for (const m of team.matchAll(TEMPLATE)) {
    const ref = refOf(m[1], m[2]);
    if (ref?.kind === 'number' && ref.n > count)
      return `team template uses capture ${ref.n} but the pattern has ${count} capture group(s)`;
  }
  return undefined;
}

/** A template expanded with a match's captures and named values (captures first); undefined when a name has no value. */
export function expandWith(
  template: string,
  match: RegExpExecArray,
  named: (name: string) => string | undefined,
): string | undefined {
  let missing = false;
  const out = template.replace(TEMPLATE, (all, num: string | undefined, braced: string | undefined) => {
    const ref = refOf(num, braced);
    if (!ref) return '$';
    if (ref.kind === 'number') return match[ref.n] ?? '';
    const v = match.groups?.[ref.name] ?? named(ref.name);
    if (v === undefined) missing = true;
    return v ?? '';
  });
  return missing ? undefined : out.trim();
}

/** Rules that look at a person (attributes, conditions) rather than at a group. */
export const isPersonRule = (r: { attribute?: string | undefined; where?: unknown }): boolean =>
  r.attribute !== undefined || r.where !== undefined;

/** The names of a pattern's named capture groups (none without a pattern). */
export function namedCaptures(match: string | undefined, flags: string): string[] {
  // Matching the empty alternative reveals the groups without needing a matching value.
  return match ? Object.keys(new RegExp(`${match}|`, flags).exec('')!.groups ?? {}) : [];
}
