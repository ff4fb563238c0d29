import type { Snapshot } from '../../../src/model/index.js';

/**
 * The one directory every source adapter writes into its server, keyed by stable test keys
 * (`p07`, `g-plat`) that no source sees: each source has its own ids, so snapshots are compared
 * by email and group name.
 */
export interface ConfPerson {
  key: string;
  email: string;
  displayName: string;
  givenName: string;
  familyName: string;
  enabled: boolean;
  /** Direct groups, by group key. */
  groups: string[];
  /** Values of the directory's attributes (ConfDirectory.attributes), by the suite's names. */
  attributes?: Partial<Record<ConfAttribute, string>>;
}
/**
 * Attributes the suite writes, by its own names: each adapter writes them as an attribute its
 * server's schema has (ConformanceAdapter.attributeNames) and lists those in `source.attributes`.
 */
export type ConfAttribute = 'department' | 'location';
export interface ConfGroup {
  key: string;
  name: string;
  /** Direct parents, by group key. */
  parents: string[];
}
export interface ConfDirectory {
  people: ConfPerson[];
  groups: ConfGroup[];
  /** The attributes people carry here: written by the adapter and read by its source. */
  attributes?: ConfAttribute[];
}

/** One change to a directory; every adapter knows how to make each in its server. */
export type ChangeStep =
  | { step: 'leave'; person: string }
  | { step: 'hire'; person: ConfPerson }
  | { step: 'move'; person: string; from: string; to: string }
  | { step: 'rename'; group: string; name: string }
  /** A person's new family name; the display name becomes "<family>, <given>" (an RDN needing escapes). */
  | { step: 'rename-person'; person: string; familyName: string }
  | { step: 'disable'; person: string }
  | { step: 'nest'; group: string; parent: string }
  /** A new value of one of the directory's attributes; undefined: the value cleared. */
  | { step: 'set-attribute'; person: string; attribute: ConfAttribute; value: string | undefined };

const GROUPS: ConfGroup[] = [
  { key: 'g-eng', name: 'Engineering', parents: [] },
  { key: 'g-plat', name: 'Platform', parents: ['g-eng'] },
  // Two deep: SRE < Platform < Engineering.
  { key: 'g-sre', name: 'SRE', parents: ['g-plat'] },
  { key: 'g-data', name: 'Data', parents: ['g-eng'] },
  { key: 'g-sales', name: 'Sales', parents: [] },
  // A DN that needs escaping (cn=Sales\, EMEA).
  { key: 'g-emea', name: 'Sales, EMEA', parents: ['g-sales'] },
  { key: 'g-support', name: 'Support', parents: [] },
  // Nobody in it.
  { key: 'g-alumni', name: 'Alumni', parents: [] },
];
const WITH_MEMBERS = GROUPS.filter((g) => g.key !== 'g-alumni').map((g) => g.key);
const GIVEN = ['Ada', 'Ben', 'Cleo', 'Dan', 'Eva', 'Finn', 'Gia', 'Hugo', 'Ines', 'Jon'];
const FAMILY = ['Abbott', 'Baker', 'Clark', 'Dunn', 'Ellis', 'Ford', 'Grant', 'Hale'];

/**
 * 40 people in 8 groups: nesting two deep, one person disabled (p21), one with non-ASCII names
 * (p07), one whose name needs DN escapes (p13: "Doe, Jane"), one in no group (p39), one empty
 * group (Alumni) and one group name needing escapes ("Sales, EMEA").
 */
export function conformanceDirectory(): ConfDirectory {
  const people = Array.from({ length: 40 }, (_, i): ConfPerson => {
    const key = `p${String(i).padStart(2, '0')}`;
    const givenName = GIVEN[i % GIVEN.length]!;
    const familyName = `${FAMILY[i % FAMILY.length]!}${i}`;
    const groups = i === 39 ? [] : [WITH_MEMBERS[i % WITH_MEMBERS.length]!, ...(i % 5 === 0 ? ['g-support'] : [])];
    return {
      key,
      email: `${key}@conformance.test`,
      displayName: `${givenName} ${familyName}`,
      givenName,
      familyName,
      enabled: i !== 21,
      groups: [...new Set(groups)],
    };
  });
  Object.assign(people[7]!, { givenName: 'Zoë', familyName: 'Ångström-Núñez', displayName: 'Zoë Ångström-Núñez' });
  Object.assign(people[13]!, { givenName: 'Jane', familyName: 'Doe', displayName: 'Doe, Jane' });
  return { people, groups: GROUPS.map((g) => ({ ...g, parents: [...g.parents] })) };
}

/** The change made in every directory between the first and the second read. */
export const CHANGE: ChangeStep[] = [
  { step: 'leave', person: 'p03' },
  {
    step: 'hire',
    person: {
      key: 'h01',
      email: 'h01@conformance.test',
      displayName: 'Hanna Hire',
      givenName: 'Hanna',
      familyName: 'Hire',
      enabled: true,
      groups: ['g-data'],
    },
  },
  { step: 'move', person: 'p04', from: 'g-sales', to: 'g-emea' },
  // A group with a parent and a child: its DN is a member value of Engineering.
  { step: 'rename', group: 'g-plat', name: 'Platform Engineering' },
  { step: 'disable', person: 'p10' },
  { step: 'nest', group: 'g-support', parent: 'g-sales' },
  // In groups and re-named (in LDAP a new DN): the groups must follow the person.
  { step: 'rename-person', person: 'p15', familyName: 'Marsh' },
];

/** The directory after `steps`, as a new value. Throws on a step that does not fit it. */
export function applyChange(dir: ConfDirectory, steps: ChangeStep[]): ConfDirectory {
  let people = dir.people.map((p) => ({ ...p, groups: [...p.groups], ...copyAttributes(p) }));
  const groups = dir.groups.map((g) => ({ ...g, parents: [...g.parents] }));
  const person = (key: string) => people.find((p) => p.key === key) ?? fail(`no person ${key}`);
  const group = (key: string) => groups.find((g) => g.key === key) ?? fail(`no group ${key}`);
  for (const s of steps) {
    if (s.step === 'leave') people = people.filter((p) => p.key !== person(s.person).key);
    else if (s.step === 'hire') people.push({ ...s.person, groups: [...s.person.groups], ...copyAttributes(s.person) });
    else if (s.step === 'move') {
      const p = person(s.person);
      if (!p.groups.includes(s.from)) fail(`${s.person} is not in ${s.from}`);
      p.groups = [...p.groups.filter((g) => g !== s.from), group(s.to).key];
    } else if (s.step === 'rename') group(s.group).name = s.name;
    else if (s.step === 'rename-person') {
      const p = person(s.person);
      Object.assign(p, { familyName: s.familyName, displayName: renamedDisplayName(p.givenName, s.familyName) });
    } else if (s.step === 'disable') person(s.person).enabled = false;
    else if (s.step === 'set-attribute') {
      const p = person(s.person);
      if (!dir.attributes?.includes(s.attribute)) fail(`the directory has no attribute ${s.attribute}`);
      const { [s.attribute]: _old, ...rest } = p.attributes ?? {};
      p.attributes = s.value === undefined ? rest : { ...rest, [s.attribute]: s.value };
    } else group(s.group).parents.push(group(s.parent).key);
  }
  return { people, groups, ...(dir.attributes ? { attributes: [...dir.attributes] } : {}) };
}

const copyAttributes = (p: ConfPerson) => (p.attributes ? { attributes: { ...p.attributes } } : {});

/** The display name after a `rename-person` step. */
export function renamedDisplayName(givenName: string, familyName: string): string {
  return `${familyName}, ${givenName}`;
}

function fail(message: string): never {
  throw new Error(`conformance directory: ${message}`);
}

/** Groups in an order where every group comes after the groups it contains (children first). */
export function childrenFirst(dir: ConfDirectory): ConfGroup[] {
  const out: ConfGroup[] = [];
  const visit = (g: ConfGroup) => {
    if (out.includes(g)) return;
    for (const child of dir.groups.filter((c) => c.parents.includes(g.key))) visit(child);
    out.push(g);
  };
  for (const g of dir.groups) visit(g);
  return out;
}

/** Direct members of a group: people keys and group keys. */
export function membersOf(dir: ConfDirectory, groupKey: string): { people: string[]; groups: string[] } {
  return {
    people: dir.people.filter((p) => p.groups.includes(groupKey)).map((p) => p.key),
    groups: dir.groups.filter((g) => g.parents.includes(groupKey)).map((g) => g.key),
  };
}

/**
 * The snapshot the directory should read as, with the test keys as source ids; attributes under
 * the names `name` gives (the source's: ConformanceAdapter.attributeNames).
 */
export function toSnapshot(dir: ConfDirectory, name: (a: ConfAttribute) => string = (a) => a): Snapshot {
  return {
    people: dir.people.map((p) => ({
      sourceId: p.key,
      email: p.email,
      displayName: p.displayName,
      givenName: p.givenName,
      familyName: p.familyName,
      enabled: p.enabled,
      groupIds: [...p.groups],
      ...(dir.attributes ? { attributes: attributesOf(dir, p, name) } : {}),
    })),
    groups: dir.groups.map((g) => ({ sourceId: g.key, name: g.name, parentIds: [...g.parents] })),
    issues: [],
  };
}

/** A person's values of the directory's attributes, each under `name(attribute)`, as lists (none: left out). */
export function attributesOf(
  dir: ConfDirectory,
  p: ConfPerson,
  name: (a: ConfAttribute) => string,
): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const a of dir.attributes ?? []) {
    const v = p.attributes?.[a];
    if (v !== undefined) out[name(a)] = [v];
  }
  return out;
}

/**
 * People with a department and a location as attributes, and nothing else: 14 people, values
 * needing care where they become names (a comma: a DN escape in the group variant; non-ASCII;
 * an ampersand), one person with a location only, one with neither (in scope nowhere), one disabled.
 */
export function attributeDirectory(): ConfDirectory {
  const departments = ['Engineering', 'Sales, EMEA', 'Finance', 'Research & Development'];
  const locations = ['Berlin', 'London', 'São Paulo'];
  const people = Array.from({ length: 14 }, (_, i): ConfPerson => {
    const key = `a${String(i).padStart(2, '0')}`;
    const givenName = GIVEN[i % GIVEN.length]!;
    const familyName = `${FAMILY[i % FAMILY.length]!}${i}`;
    const attributes: ConfPerson['attributes'] = {};
    if (i !== 12 && i !== 13) attributes.department = departments[i % departments.length]!;
    if (i !== 13) attributes.location = locations[i % locations.length]!;
    return {
      key,
      email: `${key}@attributes.test`,
      displayName: `${givenName} ${familyName}`,
      givenName,
      familyName,
      enabled: i !== 5,
      groups: [],
      attributes,
    };
  });
  return { people, groups: [], attributes: ['department', 'location'] };
}

/** The group a value of an attribute stands for in the group variant: `dept-Sales, EMEA`, `loc-Berlin`. */
export const VALUE_GROUP_PREFIX: Record<ConfAttribute, string> = { department: 'dept-', location: 'loc-' };

/**
 * The same people with one group per department and per location instead of the attributes
 * (`dept-<department>`, `loc-<location>`): what a directory without the attributes would hold.
 */
export function asValueGroups(dir: ConfDirectory): ConfDirectory {
  const groups = new Map<string, ConfGroup>();
  const people = dir.people.map((p): ConfPerson => {
    const own = (dir.attributes ?? []).flatMap((a) => {
      const v = p.attributes?.[a];
      if (v === undefined) return [];
      const name = `${VALUE_GROUP_PREFIX[a]}${v}`;
      // Short keys: an AD group's sAMAccountName is built from them.
      const key = [...groups.values()].find((g) => g.name === name)?.key ?? `g-v${groups.size}`;
      if (!groups.has(key)) groups.set(key, { key, name, parents: [] });
      return [key];
    });
    const { attributes: _dropped, ...rest } = p;
    return { ...rest, groups: [...p.groups, ...own] };
  });
  return { people, groups: [...dir.groups, ...groups.values()] };
}
