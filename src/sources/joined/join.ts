import { type Group, type Person, type Snapshot, type SourceIssue } from '../../model/index.js';
import type { JoinedMember, Precedence } from './schema.js';

export interface JoinInput {
  members: readonly Pick<JoinedMember<unknown>, 'name' | 'joinOn' | 'required'>[];
  precedence: Precedence;
  /** Each member's complete read, by name. */
  snapshots: ReadonlyMap<string, Snapshot>;
}

export interface JoinStats {
  /** People each source gave. */
  sources: { name: string; people: number }[];
  /** People in the joined directory, of them found in more than one source. */
  people: number;
  joined: number;
  /** Left out: not in a required source; or in a conflict (a join key two people share). */
  notInRequired: number;
  conflicts: number;
}

/** A person of one source with the key it joins on (undefined: no key, it joins nobody). */
interface Keyed {
  source: string;
  person: Person;
  key: string | undefined;
}

const keyOf = (p: Person, joinOn: string): string | undefined => {
  const raw = joinOn === 'email' ? p.email : p.attributes?.[joinOn]?.[0];
  const k = raw?.trim().toLowerCase();
  return k ? k : undefined;
};

/**
 * Several complete reads -> one directory. People are joined on their key (email, or a per-source
 * attribute such as the employee id), trimmed and case-folded. Each field comes from the source
 * precedence names for it, else the first listed source that has the person (and a value); groups
 * are the union (or one source's), their ids kept apart by source (`<source>:<id>`). A key two
 * people of one source share is a conflict: reported, never joined; each of those people stands
 * alone. A person missing from a `required` source is left out. Pure.
 */
export function joinSnapshots(input: JoinInput): { snapshot: Snapshot; stats: JoinStats; warnings: string[] } {
  const { members, precedence, snapshots } = input;
  const order = members.map((m) => m.name);
  const warnings: string[] = [];
  const issues: SourceIssue[] = [];
  const groups: Group[] = [];
  const byKey = new Map<string, Keyed[]>();
  const alone: Keyed[][] = [];
  let conflicts = 0;
  for (const m of members) {
    const snap = snapshots.get(m.name)!;
    for (const i of snap.issues) issues.push({ where: `${m.name}: ${i.where}`, reason: i.reason });
    if (precedence.groups === 'union' || precedence.groups === m.name)
      for (const g of snap.groups)
        groups.push({
          sourceId: `${m.name}:${g.sourceId}`,
          name: g.name,
          parentIds: g.parentIds.map((p) => `${m.name}:${p}`),
        });
    const keyed = new Map<string, Person[]>();
    for (const person of snap.people) {
      const key = keyOf(person, m.joinOn);
      if (key === undefined) {
        alone.push([{ source: m.name, person, key }]);
        continue;
      }
      keyed.set(key, [...(keyed.get(key) ?? []), person]);
    }
    for (const [key, people] of keyed) {
      if (people.length > 1) {
        // Two people of one source claim one key: a guess would give one of them the other's access.
        conflicts += people.length;
        warnings.push(
          `source ${m.name}: ${people.map((p) => p.email || p.sourceId).join(' and ')} share the join key "${key}" (${m.joinOn}): neither is joined; each is synced as itself where its sources allow`,
        );
        for (const person of people) alone.push([{ source: m.name, person, key: undefined }]);
        continue;
      }
      byKey.set(key, [...(byKey.get(key) ?? []), { source: m.name, person: people[0]!, key }]);
    }
  }
  const required = members.filter((m) => m.required).map((m) => m.name);
  const people: Person[] = [];
  let joined = 0;
  let notInRequired = 0;
  const entries: [string | undefined, Keyed[]][] = [
    ...byKey,
    ...alone.map((a) => [undefined, a] as [undefined, Keyed[]]),
  ];
  for (const [key, found] of entries) {
    const from = new Set(found.map((f) => f.source));
    if (required.some((r) => !from.has(r))) {
      notInRequired += 1;
      continue;
    }
    if (found.length > 1) joined += 1;
    people.push(merge(key, found, order, precedence));
  }
  people.sort((a, b) => (a.sourceId < b.sourceId ? -1 : a.sourceId > b.sourceId ? 1 : 0));
  return {
    snapshot: { people, groups, issues },
    stats: {
      sources: members.map((m) => ({ name: m.name, people: snapshots.get(m.name)!.people.length })),
      people: people.length,
      joined,
      notInRequired,
      conflicts,
    },
    warnings,
  };
}

/** One person from each source that has them: every field from the source that decides it. */
function merge(key: string | undefined, found: Keyed[], order: string[], precedence: Precedence): Person {
  const ranked = [...found].sort((a, b) => order.indexOf(a.source) - order.indexOf(b.source));
  const pick = (preferred: string | undefined) => ranked.find((f) => f.source === preferred) ?? ranked[0]!;
  const first = ranked[0]!;
  const enabledBy = pick(precedence.enabled);
  const namedBy = pick(precedence.names);
  const attributes: Record<string, string[]> = {};
  const from: Record<string, string> = {};
  const names = new Set(ranked.flatMap((f) => Object.keys(f.person.attributes ?? {})));
  for (const name of names) {
    const decides = precedence.attributes[name];
    const withValue = ranked.filter((f) => (f.person.attributes?.[name]?.length ?? 0) > 0);
    // The deciding source decides where it has the person (no value there: none); else, as for
    // enabled and names, the first listed source with a value.
    const decided = decides !== undefined && ranked.some((f) => f.source === decides);
    const chosen = decided ? withValue.find((f) => f.source === decides) : withValue[0];
    if (chosen) {
      attributes[name] = chosen.person.attributes![name]!;
      from[name] = chosen.source;
    }
  }
  const grouped = ranked.filter((f) => precedence.groups === 'union' || f.source === precedence.groups);
  const groupIds = grouped.flatMap((f) => f.person.groupIds.map((g) => `${f.source}:${g}`));
  const p = namedBy.person;
  const emailBy = p.email ? namedBy : (ranked.find((f) => f.person.email) ?? namedBy);
  Object.assign(from, {
    enabled: enabledBy.source,
    email: emailBy.source,
    names: namedBy.source,
    groups: grouped.map((f) => f.source).join(', ') || 'none',
  });
  return {
    // Joined people are known by their key, which every source shares; one that stands alone by its source.
    sourceId: key !== undefined ? `joined:${key}` : `${first.source}:${first.person.sourceId}`,
    email: emailBy.person.email,
    displayName: p.displayName,
    ...(p.givenName ? { givenName: p.givenName } : {}),
    ...(p.familyName ? { familyName: p.familyName } : {}),
    enabled: enabledBy.person.enabled,
    ...(enabledBy.person.locked ? { locked: true } : {}),
    groupIds,
    ...(names.size > 0 ? { attributes } : {}),
    from,
  };
}
