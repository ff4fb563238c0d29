import type { Reply } from '../index.js';
import { ROLE_TYPES, USER_TYPES } from '../../targets/datacentral/schema.js';
import type { RoleRec, UnitRec, UserRec } from './types.js';

export const fail = (status: number, code: string, message: string): Reply => ({
  status,
  body: { error: { code, message } },
});
const ok = (status: number, body?: unknown, applied = false): Reply => ({
  status,
  ...(body !== undefined ? { body } : {}),
  applied,
});

const SYSTEM = ['Admin', 'User', 'ReportViewer'];
const USER_CREATE = new Set(['type', 'email', 'firstName', 'lastName', 'roles', 'organizationUnits']);
const USER_PATCH = new Set(['firstName', 'lastName', 'roles', 'organizationUnits']);
const IMMUTABLE = new Set(['id', 'type', 'email', 'createdAt']);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const lower = (s: string) => s.toLowerCase();

/** The tenant's users, roles and units, with the contract's checks (docs/targets-datacentral.md). */
export class DcStore {
  readonly users = new Map<string, UserRec>();
  readonly roles = new Map<string, RoleRec>();
  readonly units = new Map<string, UnitRec>();
  private next = 1;

  constructor(
    private readonly now: () => number,
    ownerEmail: string,
  ) {
    for (const name of SYSTEM) this.addRole({ name, type: 'System', code: null, description: null });
    this.addUser({
      type: 'UserPass',
      email: ownerEmail,
      firstName: 'Tenant',
      lastName: 'Owner',
      roles: ['Admin'],
      organizationUnits: [],
    });
  }

  private id(prefix: string): string {
    return `${prefix}_${(this.next++).toString(36).padStart(6, '0')}`;
  }

  addRole(r: Omit<RoleRec, 'id'>): RoleRec {
    const rec = { id: this.id('role'), ...r };
    this.roles.set(rec.id, rec);
    return rec;
  }

  addUnit(u: Omit<UnitRec, 'id'>): UnitRec {
    const rec = { id: this.id('ou'), ...u };
    this.units.set(rec.id, rec);
    return rec;
  }

  addUser(u: Omit<UserRec, 'id' | 'createdAt'>): UserRec {
    const rec = { id: this.id('usr'), createdAt: new Date(this.now()).toISOString(), ...u };
    this.users.set(rec.id, rec);
    return rec;
  }

  roleByName(name: string): RoleRec | undefined {
    return [...this.roles.values()].find((r) => lower(r.name) === lower(name));
  }

  createUser(body: unknown): Reply {
    if (!isObject(body)) return fail(400, 'invalid_body', 'expected a JSON object');
    const unknown = Object.keys(body).find((k) => !USER_CREATE.has(k));
    if (unknown) return fail(400, 'invalid_field', `${unknown} cannot be set`);
    if (typeof body.type !== 'string' || !(USER_TYPES as readonly string[]).includes(body.type))
      return fail(400, 'invalid_type', `type is required, one of ${USER_TYPES.join(', ')}`);
    if (typeof body.email !== 'string' || !/^[^\s@]+@[^\s@]+$/.test(body.email))
      return fail(400, 'invalid_email', 'email is required and must be an email address');
    const names = this.names(body);
    if ('status' in names) return names;
    const lists = this.lists(body);
    if ('status' in lists) return lists;
    if ([...this.users.values()].some((u) => lower(u.email) === lower(body.email as string)))
      return fail(409, 'user_exists', `a user with email ${body.email} exists`);
    const rec = this.addUser({
      type: body.type,
      email: body.email,
      firstName: names.firstName ?? '',
      lastName: names.lastName ?? '',
      roles: lists.roles ?? [],
      organizationUnits: lists.organizationUnits ?? [],
    });
    return ok(201, rec, true);
  }

  patchUser(id: string, body: unknown): Reply {
    const user = this.users.get(id);
    if (!user) return fail(404, 'not_found', `user ${id} not found`);
    if (!isObject(body)) return fail(400, 'invalid_body', 'expected a JSON object');
    const keys = Object.keys(body);
    if (keys.length === 0) return fail(400, 'empty_update', 'nothing to update');
    const fixed = keys.find((k) => IMMUTABLE.has(k));
    if (fixed) return fail(400, 'immutable_field', `${fixed} cannot be changed`);
    const unknown = keys.find((k) => !USER_PATCH.has(k));
    if (unknown) return fail(400, 'invalid_field', `${unknown} cannot be set`);
    const names = this.names(body);
    if ('status' in names) return names;
    const lists = this.lists(body);
    if ('status' in lists) return lists;
    if (lists.roles && this.holdsAdmin(user.roles) && !this.holdsAdmin(lists.roles) && this.admins() === 1) {
      return fail(400, 'last_admin', 'the last user holding Admin cannot lose it');
    }
    Object.assign(user, names, lists);
    return ok(200, user, true);
  }

  deleteUser(id: string): Reply {
    const user = this.users.get(id);
    if (!user) return fail(404, 'not_found', `user ${id} not found`);
    if (this.holdsAdmin(user.roles) && this.admins() === 1)
      return fail(400, 'last_admin', 'the last user holding Admin cannot be deleted');
    this.users.delete(id);
    return ok(204, undefined, true);
  }

  createRole(body: unknown): Reply {
    if (!isObject(body)) return fail(400, 'invalid_body', 'expected a JSON object');
    const unknown = Object.keys(body).find((k) => !['name', 'type', 'code', 'description'].includes(k));
    if (unknown) return fail(400, 'invalid_field', `${unknown} cannot be set`);
    if (typeof body.name !== 'string' || body.name.trim() === '') return fail(400, 'invalid_name', 'name is required');
    if (typeof body.type !== 'string' || !(ROLE_TYPES as readonly string[]).includes(body.type))
      return fail(400, 'invalid_type', `type is required, one of ${ROLE_TYPES.join(', ')}`);
    for (const k of ['code', 'description'] as const)
      if (body[k] !== undefined && body[k] !== null && typeof body[k] !== 'string')
        return fail(400, 'invalid_field', `${k} must be a string`);
    if (this.roleByName(body.name)) return fail(409, 'role_exists', `a role named ${body.name} exists`);
    return ok(
      201,
      this.addRole({
        name: body.name,
        type: body.type,
        code: (body.code as string | undefined) ?? null,
        description: (body.description as string | undefined) ?? null,
      }),
      true,
    );
  }

  createUnit(body: unknown): Reply {
    if (!isObject(body)) return fail(400, 'invalid_body', 'expected a JSON object');
    const unknown = Object.keys(body).find((k) => !['name', 'parentId', 'entraGroupId'].includes(k));
    if (unknown) return fail(400, 'invalid_field', `${unknown} cannot be set`);
    if (typeof body.name !== 'string' || body.name.trim() === '') return fail(400, 'invalid_name', 'name is required');
    const parentId = body.parentId ?? 'root';
    if (typeof parentId !== 'string' || (parentId !== 'root' && !this.units.has(parentId)))
      return fail(400, 'unknown_parent', `parent ${String(parentId)} not found`);
    if (body.entraGroupId !== undefined && body.entraGroupId !== null && typeof body.entraGroupId !== 'string')
      return fail(400, 'invalid_field', 'entraGroupId must be a string');
    const clash = [...this.units.values()].find(
      (u) => u.parentId === parentId && lower(u.name) === lower(body.name as string),
    );
    if (clash) return fail(409, 'unit_exists', `a unit named ${body.name} exists under ${parentId}`);
    return ok(
      201,
      this.addUnit({ name: body.name, parentId, entraGroupId: (body.entraGroupId as string | undefined) ?? null }),
      true,
    );
  }

  private names(body: Record<string, unknown>): Reply | { firstName?: string; lastName?: string } {
    const out: { firstName?: string; lastName?: string } = {};
    for (const k of ['firstName', 'lastName'] as const) {
      if (body[k] === undefined) continue;
      if (typeof body[k] !== 'string') return fail(400, 'invalid_field', `${k} must be a string`);
      out[k] = body[k];
    }
    return out;
  }

  /** Role names (case-insensitive, stored as the tenant spells them) and unit ids; unknown or repeated entries are refused. */
  private lists(body: Record<string, unknown>): Reply | { roles?: string[]; organizationUnits?: string[] } {
    const out: { roles?: string[]; organizationUnits?: string[] } = {};
    if (body.roles !== undefined) {
      if (!Array.isArray(body.roles) || body.roles.some((r) => typeof r !== 'string'))
        return fail(400, 'invalid_field', 'roles must be a list of role names');
      const seen = new Set<string>();
      out.roles = [];
      for (const r of body.roles as string[]) {
        if (seen.has(lower(r))) return fail(400, 'duplicate_role', `role ${r} is listed twice`);
        seen.add(lower(r));
        const role = this.roleByName(r);
        if (!role) return fail(400, 'unknown_role', `role ${r} not found`);
        out.roles.push(role.name);
      }
    }
    if (body.organizationUnits !== undefined) {
      if (!Array.isArray(body.organizationUnits) || body.organizationUnits.some((r) => typeof r !== 'string'))
        return fail(400, 'invalid_field', 'organizationUnits must be a list of unit ids');
      const ids = body.organizationUnits as string[];
      const dup = ids.find((x, i) => ids.indexOf(x) !== i);
      if (dup) return fail(400, 'duplicate_unit', `unit ${dup} is listed twice`);
      const missing = ids.find((x) => !this.units.has(x));
      if (missing) return fail(400, 'unknown_unit', `unit ${missing} not found`);
      out.organizationUnits = [...ids];
    }
    return out;
  }

  private holdsAdmin(roles: string[]): boolean {
    return roles.some((r) => lower(r) === 'admin');
  }

  private admins(): number {
    return [...this.users.values()].filter((u) => this.holdsAdmin(u.roles)).length;
  }
}
