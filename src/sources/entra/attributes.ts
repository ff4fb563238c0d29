/**
 * A profile's `source.attributes` on Graph users: which top-level properties to `$select`, how the
 * values of a listed attribute are read from them, and how a delta record's properties merge into
 * the ones kept between reads.
 *
 * An attribute is a user property (`department`), a path into a complex one
 * (`employeeOrgData.costCenter`, `onPremisesExtensionAttributes.extensionAttribute3`: Graph selects
 * only the whole property, not its fields) or a directory extension (`extension_<appId>_<name>`).
 */

/** Raw values of the selected top-level properties of one user, keyed by the name the config uses. */
export type UserProps = Record<string, unknown>;

/** `employeeOrgData.costCenter` -> `employeeOrgData`; `department` and `extension_<appId>_<name>` as they are. */
export function topProperty(name: string): string {
  return name.split('.')[0]!;
}

/** The top-level properties the listed attributes need, each once, in the order first listed. */
export function selectedProperties(names: readonly string[]): string[] {
  return [...new Set(names.map(topProperty))];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A property of a Graph object by name: the exact name first, else the one that differs only in
 * case (Graph answers with its own spelling, e.g. `employeeOrgData` for a configured `EmployeeOrgData`).
 */
export function propertyOf(obj: Record<string, unknown>, name: string): unknown {
  if (name in obj) return obj[name];
  const lower = name.toLowerCase();
  const key = Object.keys(obj).find((k) => k.toLowerCase() === lower);
  return key === undefined ? undefined : obj[key];
}

/** Whether a Graph object carries the property at all (null counts: it says "cleared"). */
function hasProperty(obj: Record<string, unknown>, name: string): boolean {
  if (name in obj) return true;
  const lower = name.toLowerCase();
  return Object.keys(obj).some((k) => k.toLowerCase() === lower);
}

/** What one attribute holds for a user: its values, nothing, or an object (not a value: a path should go into it). */
export type AttributeRead = { values: string[] } | { object: true } | undefined;

/**
 * The values of one listed attribute from a user's kept properties: a string is one value, a
 * string collection a list, a number or boolean its text; null or absent is no value. A path walks
 * into complex properties (and into each item of a collection of them). An object where the path
 * ends is not a value.
 */
export function readAttribute(props: UserProps, name: string): AttributeRead {
  const [top, ...path] = name.split('.');
  let current: unknown[] = [propertyOf(props, top!)];
  for (const step of path) {
    current = current
      .flatMap((v) => (Array.isArray(v) ? v : [v]))
      .filter(isObject)
      .map((o) => propertyOf(o, step));
  }
  const values: string[] = [];
  let object = false;
  for (const v of current.flatMap((x) => (Array.isArray(x) ? x : [x]))) {
    if (typeof v === 'string') values.push(v);
    else if (typeof v === 'number' || typeof v === 'boolean') values.push(String(v));
    else if (isObject(v)) object = true;
  }
  if (values.length > 0) return { values };
  return object ? { object: true } : undefined;
}

/** The selected properties a Graph user record carries, keyed by the configured name. */
export function propsOf(record: Record<string, unknown>, properties: readonly string[]): UserProps | undefined {
  if (properties.length === 0) return undefined;
  const out: UserProps = {};
  for (const p of properties) {
    const v = propertyOf(record, p);
    if (v !== undefined && v !== null) out[p] = v;
  }
  return out;
}

/**
 * A delta record's selected properties merged onto the kept ones: a property the record carries
 * replaces the kept value (a complex one field by field, so a record carrying only the changed
 * field of employeeOrgData keeps the other); null clears it; a property the record lacks stays.
 */
export function mergeProps(
  kept: UserProps | undefined,
  record: Record<string, unknown>,
  properties: readonly string[],
): UserProps | undefined {
  if (properties.length === 0) return undefined;
  const out: UserProps = { ...kept };
  for (const p of properties) {
    if (!hasProperty(record, p)) continue;
    const v = propertyOf(record, p);
    if (v === null || v === undefined) delete out[p];
    else out[p] = isObject(v) && isObject(out[p]) ? mergeObject(out[p], v) : v;
  }
  return out;
}

function mergeObject(kept: Record<string, unknown>, changed: Record<string, unknown>): Record<string, unknown> {
  const out = { ...kept };
  for (const [k, v] of Object.entries(changed)) out[k] = isObject(v) && isObject(out[k]) ? mergeObject(out[k], v) : v;
  return out;
}

/**
 * Properties Graph returns only when a single user is read: `$select` of one of them on a user
 * collection (list, delta, group members) answers 501 (docs: List users, "Optional query parameters").
 */
export const SINGLE_USER_ONLY = [
  'aboutMe',
  'birthday',
  'hireDate',
  'interests',
  'mySite',
  'pastProjects',
  'preferredName',
  'responsibilities',
  'schools',
  'skills',
  'mailboxSettings',
];

/** The property Graph named in a 400 for an unknown `$select` ("Could not find a property named 'x' on type ..."). */
export function refusedProperty(message: string): string | undefined {
  return /Could not find a property named '([^']+)'/i.exec(message)?.[1];
}
