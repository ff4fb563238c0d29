import type { Entry } from 'ldapts';
import { readAttributes, SharedValues } from '../attributes.js';
import type { Directory } from './connection.js';
import { ldapError } from './errors.js';
import { adDisabled, guidToString, inChainFilter, parseRange, type Dialect } from './presets.js';
import type { LdapSourceConfig } from './schema.js';
import { namesOf } from './subschema.js';

export interface RawPerson {
  dn: string;
  id: string;
  email?: string;
  displayName: string;
  givenName?: string;
  familyName?: string;
  enabled: boolean;
  /** Not enabled because of a ppolicy lock alone. */
  locked?: boolean;
  marker?: string;
  /** The listed attributes (source.attributes), normalised; absent when none are listed. */
  attributes?: Record<string, string[]>;
}
export interface RawGroup {
  dn: string;
  id: string;
  name: string;
  memberDns: string[];
  marker?: string;
}
export interface Skipped {
  dn: string;
  reason: string;
}

type Values = (string | Buffer)[];
/** An attribute as an ldapts entry holds it: one value alone, several (or none) as a list. */
type Held = string | Buffer | Values;

const list = (v: Held | undefined): Values => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const first = (v: Held | undefined) => (Array.isArray(v) ? v[0] : v);

/**
 * Attribute names lowercased, once each: every entry of a read has the same few, and the same string
 * each time (entry-decoding.ts), so the lookup is cheaper than lowercasing again.
 */
const lowered = new Map<string, string>();
function lower(name: string): string {
  let l = lowered.get(name);
  if (l === undefined) {
    l = name.toLowerCase();
    if (lowered.size < 4096) lowered.set(name, l);
  }
  return l;
}

/** Case-insensitive attribute access on an ldapts entry. */
function attrs(entry: Entry): Map<string, Held> {
  const m = new Map<string, Held>();
  // for-in, not Object.entries, and values as held: this runs for every entry of a read.
  for (const k in entry) if (k !== 'dn') m.set(lower(k), entry[k]!);
  return m;
}
const text = (v: Held | undefined) => {
  const value = first(v);
  return value === undefined ? undefined : Buffer.isBuffer(value) ? value.toString('utf8') : String(value);
};

const utf8 = new TextDecoder('utf8', { fatal: true });

/**
 * The text values of an attribute. ldapts hands over every value of an attribute as bytes once one
 * of them is not UTF-8 (a photo, a certificate): those that decode are kept, the rest dropped.
 */
function texts(v: Held): string[] {
  if (typeof v === 'string') return [v];
  const out: string[] = [];
  for (const value of list(v)) {
    if (!Buffer.isBuffer(value)) out.push(String(value));
    else
      try {
        out.push(utf8.decode(value));
      } catch {
        // binary: not a value the mapping can compare
      }
  }
  return out;
}

function idOf(a: Map<string, Held>, d: Dialect): string | undefined {
  const raw = first(a.get(d.id.toLowerCase()));
  if (raw === undefined) return undefined;
  if (!Buffer.isBuffer(raw)) return raw === '' ? undefined : String(raw);
  return d.idIsGuid ? guidToString(raw) : raw.toString('hex');
}

/** `uniqueMember` values may carry an optional UID (`cn=x,dc=y#'0101'B`, RFC 4517 nameAndOptionalUID): keep the DN. */
function memberDn(value: string): string {
  return value.replace(/#'[01]*'B$/, '');
}

export function personAttributes(c: LdapSourceConfig, d: Dialect): string[] {
  const flags = [
    ...(d.userAccountControl ? ['userAccountControl'] : []),
    ...(d.lockedAttribute ? [d.lockedAttribute] : []),
    ...(c.disabled ? [c.disabled.attribute] : []),
  ];
  return [
    d.id,
    ...d.email,
    d.displayName,
    d.givenName,
    d.familyName,
    d.changeMarker,
    ...new Set(flags),
    ...c.attributes,
  ];
}

/** Entry -> RawPerson, or the reason it cannot be used. */
export function toPerson(e: Entry, c: LdapSourceConfig, d: Dialect, shared?: SharedValues): RawPerson | Skipped {
  const a = attrs(e);
  const id = idOf(a, d);
  if (!id) return { dn: e.dn, reason: `no ${d.id}: person skipped` };
  const email = d.email.map((k) => text(a.get(k.toLowerCase()))?.trim()).find((v) => v !== undefined && v !== '');
  const flag = c.disabled ? list(a.get(c.disabled.attribute.toLowerCase())) : [];
  const values = new Set((c.disabled?.values ?? []).map((v) => v.toLowerCase()));
  const disabledByFlag = c.disabled?.values ? flag.some((v) => values.has(String(v).toLowerCase())) : flag.length > 0;
  const locked = d.lockedAttribute !== undefined && list(a.get(d.lockedAttribute.toLowerCase())).length > 0;
  const given = text(a.get(d.givenName.toLowerCase()));
  const family = text(a.get(d.familyName.toLowerCase()));
  const marker = text(a.get(d.changeMarker.toLowerCase()));
  const disabled = disabledByFlag || (d.userAccountControl && adDisabled(text(a.get('useraccountcontrol'))));
  const names = listedNames(c, d);
  const attributes = readAttributes(c.attributes, (name) => valuesUnder(a, names.get(name)!), shared);
  return {
    dn: e.dn,
    id,
    ...(email ? { email } : {}),
    displayName: text(a.get(d.displayName.toLowerCase())) ?? [given, family].filter(Boolean).join(' '),
    ...(given ? { givenName: given } : {}),
    ...(family ? { familyName: family } : {}),
    enabled: !disabled && !locked,
    ...(locked && !disabled ? { locked: true } : {}),
    ...(marker ? { marker } : {}),
    ...(attributes ? { attributes } : {}),
  };
}

/**
 * A listed attribute's text values under any of its names. The server answers under one name, so
 * the values of the first name present are the answer; a second name present (an entry holding
 * both) merges in without repeats.
 */
function valuesUnder(a: Map<string, Held>, names: readonly string[]): string[] | string | undefined {
  let found: string[] | string | undefined;
  for (const n of names) {
    const v = a.get(n);
    if (v === undefined) continue;
    // One text value is passed on as it is: most attributes of most people hold one.
    if (found === undefined) found = typeof v === 'string' ? v : texts(v);
    else found = [...new Set([...texts(found), ...texts(v)])];
  }
  return found;
}

const RANGED = /;range=/i;

/** Each listed attribute's names (aliases from the schema), worked out once per config and schema, not per person. */
const namesCache = new WeakMap<LdapSourceConfig, WeakMap<Dialect, Map<string, string[]>>>();
function listedNames(c: LdapSourceConfig, d: Dialect): Map<string, string[]> {
  let byDialect = namesCache.get(c);
  if (!byDialect) namesCache.set(c, (byDialect = new WeakMap()));
  let names = byDialect.get(d);
  if (!names) byDialect.set(d, (names = new Map(c.attributes.map((n) => [n, namesOf(n, d.attributeTypes)]))));
  return names;
}
const wantedNames = (c: LdapSourceConfig, d: Dialect) => new Set([...listedNames(c, d).values()].flat());

/**
 * AD sends a multi-valued attribute with more values than MaxValRange in ranges (`proxyAddresses;
 * range=0-1499`), as it does `member`: a listed attribute's further chunks are fetched (or the read
 * fails) and the entry gets its values under the plain name, as if they had come in one piece.
 */
async function completeRanges(dir: Directory, e: Entry, c: LdapSourceConfig, d: Dialect): Promise<Entry> {
  if (c.attributes.length === 0) return e;
  let out: Entry | undefined;
  // for-in, not Object.entries: most entries have no ranged key, and the pairs would be garbage.
  for (const key in e) {
    // Only a ranged key (`name;range=0-1499`) needs work: no `;`, no range.
    if (!key.includes(';') || !RANGED.test(key)) continue;
    const value = e[key]!;
    const range = parseRange(key);
    if (!range || !wantedNames(c, d).has(range.attribute.toLowerCase())) continue;
    const values = [...checkedChunk(e.dn, key, 0, list(value), 'the person')];
    if (range.high !== '*')
      for (const v of await readRangeValues(dir, e.dn, range.attribute, range.high + 1, 'the person')) values.push(v);
    out ??= { ...e };
    delete out[key];
    const plain = Object.keys(out).find((k) => k.toLowerCase() === range.attribute.toLowerCase());
    const before = plain === undefined ? undefined : out[plain];
    out[plain ?? range.attribute] = [...list(before), ...values] as string[] | Buffer[];
  }
  return out ?? e;
}

export async function readPeople(
  dir: Directory,
  c: LdapSourceConfig,
  d: Dialect,
  extraFilter?: string,
): Promise<{ people: RawPerson[]; skipped: Skipped[] }> {
  const filter = extraFilter ? `(&${d.peopleFilter}${extraFilter})` : d.peopleFilter;
  const people: RawPerson[] = [];
  const skipped: Skipped[] = [];
  const spec = { scope: c.people.scope, filter, attributes: personAttributes(c, d), binary: d.idIsGuid ? [d.id] : [] };
  const shared = new SharedValues();
  for await (const page of dir.pages(c.people.baseDn, spec)) {
    for (const e of page) {
      const p = toPerson(await completeRanges(dir, e, c, d), c, d, shared);
      if ('id' in p) people.push(p);
      else skipped.push(p);
    }
  }
  return { people, skipped };
}

export async function readGroups(
  dir: Directory,
  c: LdapSourceConfig,
  d: Dialect,
  extraFilter?: string,
): Promise<RawGroup[]> {
  const filter = extraFilter ? `(&${d.groupsFilter}${extraFilter})` : d.groupsFilter;
  const spec = {
    scope: c.groups.scope,
    filter,
    attributes: [d.id, d.groupName, d.changeMarker, ...d.members],
    binary: d.idIsGuid ? [d.id] : [],
  };
  const entries: Entry[] = [];
  for await (const page of dir.pages(c.groups.baseDn, spec)) entries.push(...page);
  const groups: RawGroup[] = [];
  for (const e of entries) {
    const a = attrs(e);
    // Loops, not push(...values): a group's members can outnumber the arguments a call takes.
    const memberDns: string[] = [];
    for (const m of d.members) for (const v of list(a.get(m.toLowerCase()))) memberDns.push(memberDn(String(v)));
    // AD sends big groups in ranges (member;range=0-1499, and an empty member): fetch every further chunk or fail.
    for (const [key, values] of a) {
      const range = parseRange(key);
      if (!range) continue;
      for (const v of checkedChunk(e.dn, key, 0, list(values), 'the group')) memberDns.push(String(v));
      if (range.high !== '*')
        for (const v of await readRanges(dir, e.dn, range.attribute, range.high + 1)) memberDns.push(v);
    }
    const marker = text(a.get(d.changeMarker.toLowerCase()));
    groups.push({
      dn: e.dn,
      id: idOf(a, d) ?? e.dn,
      name: text(a.get(d.groupName.toLowerCase())) ?? e.dn,
      memberDns,
      ...(marker ? { marker } : {}),
    });
  }
  return groups;
}

/**
 * One `member;range=low-high` chunk: it must start where asked and hold high-low+1 values, else
 * values would go missing. `whose`: the entry's kind, for the message ("the group").
 */
function checkedChunk(dn: string, key: string, low: number, values: Values, whose: string): Values {
  const range = parseRange(key)!;
  const full = range.high === '*' || (range.high >= range.low && values.length === range.high - range.low + 1);
  if (range.low !== low || !full) {
    throw ldapError(
      `ldap: ${dn}: ${key} held ${values.length} values where ${low}-${range.high} was expected; ${whose} would read short`,
      'SOURCE_INCOMPLETE',
    );
  }
  return values;
}

/** Range retrieval: ask for `member;range=<low>-*` until the server answers a range ending in `*`. */
export async function readRanges(dir: Directory, dn: string, attribute: string, from: number): Promise<string[]> {
  return (await readRangeValues(dir, dn, attribute, from, 'the group')).map(String);
}

/** readRanges with the values as they came (bytes stay bytes); `whose` names the entry's kind in messages. */
async function readRangeValues(
  dir: Directory,
  dn: string,
  attribute: string,
  from: number,
  whose: string,
): Promise<Values> {
  const out: Values = [];
  for (let low = from; ;) {
    const [entry] = await dir.search(dn, {
      scope: 'base',
      filter: '(objectClass=*)',
      attributes: [`${attribute};range=${low}-*`],
    });
    const key = entry
      ? Object.keys(entry).find((k) => parseRange(k)?.attribute.toLowerCase() === attribute.toLowerCase())
      : undefined;
    if (!entry || !key)
      throw ldapError(
        `ldap: ${dn}: ${attribute} values from ${low} on did not arrive; ${whose} would read short`,
        'SOURCE_INCOMPLETE',
      );
    const v = entry[key]!;
    for (const value of checkedChunk(dn, key, low, list(v), whose)) out.push(value);
    const range = parseRange(key)!;
    if (range.high === '*') return out;
    low = range.high + 1;
  }
}

/** AD, nested: 'in-chain': the DC resolves transitive membership, one paged search per group. */
export async function readInChain(dir: Directory, c: LdapSourceConfig, d: Dialect, groups: RawGroup[]): Promise<void> {
  for (const g of groups) {
    const dns: string[] = [];
    for await (const page of dir.pages(c.people.baseDn, {
      scope: c.people.scope,
      filter: inChainFilter(d.peopleFilter, g.dn),
      attributes: ['1.1'],
    })) {
      dns.push(...page.map((e) => e.dn));
    }
    g.memberDns = dns;
  }
}

/** People looked up by DN (the caller keeps to the people base): those the people filter still matches. */
export async function readPeopleByDn(
  dir: Directory,
  c: LdapSourceConfig,
  d: Dialect,
  dns: string[],
): Promise<RawPerson[]> {
  const out: RawPerson[] = [];
  for (const dn of dns) {
    const entries = await dir
      .search(dn, {
        scope: 'base',
        filter: d.peopleFilter,
        attributes: personAttributes(c, d),
        binary: d.idIsGuid ? [d.id] : [],
      })
      .catch((err: unknown) => {
        if ((err as { code?: unknown }).code === 32) return []; // gone: no such object
        throw err;
      });
    for (const e of entries) {
      const p = toPerson(await completeRanges(dir, e, c, d), c, d);
      if ('id' in p) out.push(p);
    }
  }
  return out;
}
