import type { Client, Entry } from 'ldapts';
import { SourceReadError } from '../../errors/index.js';
import type { LdapSourceConfig } from './schema.js';
import { adDisabled, guidToString, inChainFilter, parseRange, type Dialect } from './presets.js';

export interface RawPerson {
  dn: string; id: string; email?: string; displayName: string; givenName?: string; familyName?: string; enabled: boolean; marker?: string;
}
export interface RawGroup {
  dn: string; id: string; name: string; memberDns: string[]; marker?: string;
}

type Values = (string | Buffer)[];

/** Case-insensitive attribute access on an ldapts entry; values always as arrays. */
function attrs(entry: Entry): Map<string, Values> {
  const m = new Map<string, Values>();
  for (const [k, v] of Object.entries(entry)) {
    if (k === 'dn') continue;
    m.set(k.toLowerCase(), (Array.isArray(v) ? v : [v]) as Values);
  }
  return m;
}
const text = (v: Values | undefined) => (v && v.length > 0 ? (Buffer.isBuffer(v[0]) ? v[0].toString('utf8') : String(v[0])) : undefined);

export interface ReadCounters {
  pages: number;
  requests: number;
}

/** Every page of a search, or an error: a page that did not arrive fails the whole read. */
async function searchAll(client: Client, c: LdapSourceConfig, base: string, filter: string, scope: LdapSourceConfig['people']['scope'], attributes: string[], d: Dialect, n: ReadCounters): Promise<Entry[]> {
  const out: Entry[] = [];
  const pages = client.searchPaginated(base, {
    scope, filter, attributes, paged: { pageSize: c.pageSize }, timeLimit: c.timeLimitSeconds,
    ...(d.idIsGuid ? { explicitBufferAttributes: [d.id] } : {}),
  });
  for await (const page of pages) {
    n.pages += 1;
    n.requests += 1;
    out.push(...page.searchEntries);
  }
  return out;
}

export async function readPeople(client: Client, c: LdapSourceConfig, d: Dialect, n: ReadCounters, extraFilter?: string): Promise<{ people: RawPerson[]; skipped: { dn: string; reason: string }[] }> {
  const wanted = [d.id, ...d.email, d.displayName, d.givenName, d.familyName, d.changeMarker, ...(d.userAccountControl ? ['userAccountControl'] : []), ...(c.disabled ? [c.disabled.attribute] : [])];
  const filter = extraFilter ? `(&${d.peopleFilter}${extraFilter})` : d.peopleFilter;
  const entries = await searchAll(client, c, c.people.baseDn, filter, c.people.scope, wanted, d, n);
  const people: RawPerson[] = [];
  const skipped: { dn: string; reason: string }[] = [];
  const disabledValues = new Set((c.disabled?.values ?? []).map((v) => v.toLowerCase()));
  for (const e of entries) {
    const a = attrs(e);
    const idRaw = a.get(d.id.toLowerCase())?.[0];
    const id = idRaw === undefined ? undefined : Buffer.isBuffer(idRaw) ? (d.idIsGuid ? guidToString(idRaw) : idRaw.toString('hex')) : String(idRaw);
    if (!id) {
      skipped.push({ dn: e.dn, reason: `no ${d.id}` });
      continue;
    }
    const email = d.email.map((k) => text(a.get(k.toLowerCase()))).find((v) => v !== undefined && v.trim() !== '');
    const disabledByFlag = c.disabled ? (a.get(c.disabled.attribute.toLowerCase()) ?? []).some((v) => disabledValues.has(String(v).toLowerCase())) : false;
    const given = text(a.get(d.givenName.toLowerCase()));
    const family = text(a.get(d.familyName.toLowerCase()));
    people.push({
      dn: e.dn, id, ...(email ? { email: email.trim() } : {}),
      displayName: text(a.get(d.displayName.toLowerCase())) ?? [given, family].filter(Boolean).join(' '),
      ...(given ? { givenName: given } : {}), ...(family ? { familyName: family } : {}),
      enabled: !disabledByFlag && !(d.userAccountControl && adDisabled(text(a.get('useraccountcontrol')))),
      ...(text(a.get(d.changeMarker.toLowerCase())) ? { marker: text(a.get(d.changeMarker.toLowerCase()))! } : {}),
    });
  }
  return { people, skipped };
}

export async function readGroups(client: Client, c: LdapSourceConfig, d: Dialect, n: ReadCounters, extraFilter?: string): Promise<RawGroup[]> {
  const filter = extraFilter ? `(&${d.groupsFilter}${extraFilter})` : d.groupsFilter;
  const entries = await searchAll(client, c, c.groups.baseDn, filter, c.groups.scope, [d.id, d.groupName, d.changeMarker, ...d.members], d, n);
  const groups: RawGroup[] = [];
  for (const e of entries) {
    const a = attrs(e);
    const idRaw = a.get(d.id.toLowerCase())?.[0];
    const id = idRaw === undefined ? e.dn : Buffer.isBuffer(idRaw) ? (d.idIsGuid ? guidToString(idRaw) : idRaw.toString('hex')) : String(idRaw);
    const memberDns: string[] = [];
    for (const m of d.members) memberDns.push(...(a.get(m.toLowerCase()) ?? []).map(String));
    // AD sends big groups in ranges (member;range=0-1499): fetch every further chunk or fail.
    for (const [key, values] of a) {
      const range = parseRange(key);
      if (!range) continue;
      memberDns.push(...values.map(String));
      if (range.high !== '*') memberDns.push(...(await readRanges(client, c, e.dn, range.attribute, range.high + 1, n)));
    }
    groups.push({ dn: e.dn, id, name: text(a.get(d.groupName.toLowerCase())) ?? e.dn, memberDns, ...(text(a.get(d.changeMarker.toLowerCase())) ? { marker: text(a.get(d.changeMarker.toLowerCase()))! } : {}) });
  }
  return groups;
}

/** Range retrieval: ask for `member;range=<low>-*` until the server answers a range ending in `*`. */
export async function readRanges(client: Client, c: LdapSourceConfig, dn: string, attribute: string, from: number, n: ReadCounters): Promise<string[]> {
  const out: string[] = [];
  for (let low = from; ; ) {
    const { searchEntries } = await client.search(dn, { scope: 'base', filter: '(objectClass=*)', attributes: [`${attribute};range=${low}-*`], timeLimit: c.timeLimitSeconds });
    n.requests += 1;
    const entry = searchEntries[0];
    const key = entry ? Object.keys(entry).find((k) => parseRange(k)?.attribute.toLowerCase() === attribute.toLowerCase()) : undefined;
    if (!entry || !key) throw new SourceReadError(`ldap: ${dn}: ${attribute} range from ${low} did not arrive; the group would read short`, 'ldap', { code: 'SOURCE_INCOMPLETE' });
    const range = parseRange(key)!;
    const v = entry[key];
    out.push(...(Array.isArray(v) ? v : [v]).map(String));
    if (range.high === '*') return out;
    low = range.high + 1;
  }
}

/** AD, nested: 'in-chain': the DC resolves transitive membership per group. */
export async function readInChain(client: Client, c: LdapSourceConfig, d: Dialect, groups: RawGroup[], n: ReadCounters): Promise<Map<string, string[]>> {
  const members = new Map<string, string[]>();
  for (const g of groups) {
    const entries = await searchAll(client, c, c.people.baseDn, inChainFilter(d.peopleFilter, g.dn), c.people.scope, ['dn'], d, n);
    members.set(g.id, entries.map((e) => e.dn));
  }
  return members;
}
