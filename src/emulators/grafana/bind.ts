import type { Reply } from '../index.js';
import { fail, MSG } from './context.js';
import { ORG_ROLES, type OrgRole } from './types.js';

/**
 * Grafana binds JSON into Go structs: a wrong type or a missing `binding:"Required"` field is a 400
 * "bad request data". These helpers read one field each the same way.
 */
export type Bound<T> = { ok: true; value: T } | { ok: false; reply: Reply };

const bad = <T>(): Bound<T> => ({ ok: false, reply: fail(400, MSG.badRequest) });

export function objectBody(body: unknown): Bound<Record<string, unknown>> {
  if (body === undefined) return { ok: true, value: {} };
  return typeof body === 'object' && body !== null && !Array.isArray(body)
    ? { ok: true, value: body as Record<string, unknown> }
    : bad();
}

/** A string field; `required` refuses a missing or empty value as Go's binding does. */
export function stringField(obj: Record<string, unknown>, name: string, required: boolean): Bound<string> {
  const v = obj[name];
  if (v === undefined || v === null) return required ? bad() : { ok: true, value: '' };
  if (typeof v !== 'string') return bad();
  if (required && v === '') return bad();
  return { ok: true, value: v };
}

/** An integer field (JSON number without fraction). */
export function intField(obj: Record<string, unknown>, name: string, required: boolean): Bound<number> {
  const v = obj[name];
  if (v === undefined || v === null) return required ? bad() : { ok: true, value: 0 };
  if (typeof v !== 'number' || !Number.isInteger(v)) return bad();
  if (required && v === 0) return bad();
  return { ok: true, value: v };
}

export function stringList(obj: Record<string, unknown>, name: string): Bound<string[]> {
  const v = obj[name];
  if (v === undefined || v === null) return { ok: true, value: [] };
  if (!Array.isArray(v) || v.some((s) => typeof s !== 'string')) return bad();
  return { ok: true, value: v as string[] };
}

/**
 * RoleType's UnmarshalText title-cases the value ("viewer" is Viewer), turns "" into Viewer and
 * refuses anything else invalid; the field is `binding:"Required"`, so a missing role is refused too.
 */
export function roleField(obj: Record<string, unknown>): Bound<OrgRole> {
  const v = obj.role;
  if (v === undefined || v === null || typeof v !== 'string') return bad();
  if (v === '') return { ok: true, value: 'Viewer' };
  const titled = v.replace(/(^|\s)(\S)/g, (_m, sp: string, c: string) => sp + c.toUpperCase());
  return (ORG_ROLES as readonly string[]).includes(titled) ? { ok: true, value: titled as OrgRole } : bad();
}
