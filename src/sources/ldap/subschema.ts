import type { Directory } from './connection.js';
import { ldapError } from './errors.js';

/**
 * The names and OIDs of one RFC 4512 AttributeTypeDescription, lowercased:
 * `( 2.5.4.4 NAME ( 'sn' 'surname' ) SUP name )` -> sn, surname, 2.5.4.4.
 */
export function attributeTypeNames(definition: string): string[] {
  const oid = /^\(\s*([^\s()]+)/.exec(definition)?.[1];
  const names = /\sNAME\s+(?:'([^']*)'|\(([^)]*)\))/i.exec(definition);
  const listed = names
    ? names[1] !== undefined
      ? [names[1]]
      : [...names[2]!.matchAll(/'([^']*)'/g)].map((m) => m[1]!)
    : [];
  return [...listed, ...(oid ? [oid] : [])].map((n) => n.toLowerCase());
}

const one = (entry: Record<string, unknown> | undefined, key: string): unknown[] => {
  const v = entry ? Object.entries(entry).find(([k]) => k.toLowerCase() === key.toLowerCase())?.[1] : undefined;
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
};

/** Any name, alias or OID of an attribute type (lowercased) -> every one of them. */
export type AttributeTypes = ReadonlyMap<string, readonly string[]>;

/**
 * Every attribute type the server's schema holds, from the subschema subentry its rootDSE names
 * (OpenLDAP `cn=Subschema`, AD `CN=Aggregate,CN=Schema,…`).
 */
export async function schemaAttributeTypes(dir: Directory, url: string): Promise<AttributeTypes> {
  const [root] = await dir.search('', {
    scope: 'base',
    filter: '(objectClass=*)',
    attributes: ['subschemaSubentry'],
  });
  const base = one(root, 'subschemaSubentry').map(String)[0] ?? 'cn=Subschema';
  const [subschema] = await dir
    .search(base, { scope: 'base', filter: '(objectClass=subschema)', attributes: ['attributeTypes'] })
    .catch(() => []);
  const definitions = one(subschema, 'attributeTypes').map(String);
  if (definitions.length === 0)
    throw ldapError(
      `ldap ${url}: cannot check source.attributes: the server did not give its schema (attributeTypes of ${base}); let the bind DN read it`,
      'SOURCE_READ_FAILED',
    );
  const types = new Map<string, string[]>();
  for (const d of definitions) {
    const names = attributeTypeNames(d);
    for (const n of names) types.set(n, names);
  }
  return types;
}

/** The listed attributes the schema does not hold (ignoring case and any `;option`), in list order. */
export function notInSchema(listed: readonly string[], types: AttributeTypes): string[] {
  return listed.filter((name) => !types.has(baseName(name)));
}

/**
 * The names an entry may hold a listed attribute under, lowercased: servers answer with the type's
 * own name (OpenLDAP gives `sn` to a request for `surname` or 2.5.4.4), so its aliases count too.
 * An `;option` is kept on each. Without the schema: the name as listed.
 */
export function namesOf(listed: string, types: AttributeTypes | undefined): string[] {
  const lower = listed.toLowerCase();
  const option = lower.slice(baseName(listed).length);
  const all = types?.get(baseName(listed));
  return all ? [lower, ...all.map((n) => n + option).filter((n) => n !== lower)] : [lower];
}

const baseName = (name: string) => name.split(';')[0]!.toLowerCase();
