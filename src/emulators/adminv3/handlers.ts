import type { Reply } from '../index.js';
import { dto, type AdminV3Store, type UserRec } from './store.js';
import { ROLES, STATUSES, type ResolvedAdminV3Options, type Role } from './types.js';

/** What a handler knows of the call: the store, the caller (the key's user) and the request. */
export interface Ctx {
  store: AdminV3Store;
  options: ResolvedAdminV3Options;
  caller: UserRec;
  id: string | undefined;
  query: URLSearchParams;
  body: unknown;
  /** The error envelope with this request's id. */
  fail(status: number, code: string, message: string): Reply;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const INT = /^\d+$/;

/** GET /users?limit&offset[&role][&status]: meta.total is the whole count of the filtered list. */
export function listUsers(ctx: Ctx): Reply {
  const q = ctx.query;
  const limit = q.get('limit') ?? '20';
  const offset = q.get('offset') ?? '0';
  if (!INT.test(limit) || Number(limit) < 1 || Number(limit) > 100)
    return ctx.fail(400, 'invalid_parameter', 'limit must be an integer between 1 and 100');
  if (!INT.test(offset)) return ctx.fail(400, 'invalid_parameter', 'offset must be a non-negative integer');
  const role = q.get('role');
  const status = q.get('status');
  if (role !== null && !(ROLES as readonly string[]).includes(role))
    return ctx.fail(400, 'invalid_parameter', `role must be one of ${ROLES.join(', ')}`);
  if (status !== null && !(STATUSES as readonly string[]).includes(status))
    return ctx.fail(400, 'invalid_parameter', `status must be one of ${STATUSES.join(', ')}`);
  const all = [...ctx.store.users.values()].filter(
    (u) => (role === null || u.role === role) && (status === null || u.status === status),
  );
  const l = Number(limit);
  const o = Number(offset);
  return {
    status: 200,
    body: { data: all.slice(o, o + l).map(dto), meta: { total: all.length, limit: l, offset: o } },
  };
}

export function getUser(ctx: Ctx): Reply {
  const u = ctx.store.users.get(ctx.id!);
  return u ? { status: 200, body: dto(u) } : notFound(ctx);
}

/** POST /users {email, name, role}: an invitation; the user is pending until it is accepted. */
export function createUser(ctx: Ctx): Reply {
  const b = objectBody(ctx);
  if ('status' in b) return b;
  const unknown = Object.keys(b.value).filter((k) => !['email', 'name', 'role'].includes(k));
  if (unknown.length > 0) return ctx.fail(400, 'invalid_request', `unknown field(s): ${unknown.join(', ')}`);
  const { email, name, role } = b.value;
  if (typeof email !== 'string' || !EMAIL.test(email))
    return ctx.fail(400, 'invalid_request', 'email: a valid email address is required');
  if (typeof name !== 'string' || name.trim() === '')
    return ctx.fail(400, 'invalid_request', 'name: a full display name is required');
  if (role !== undefined && !(ROLES as readonly unknown[]).includes(role))
    return ctx.fail(400, 'invalid_request', `role must be one of ${ROLES.join(', ')}`);
  if (ctx.store.byEmail(email)) return ctx.fail(409, 'user_exists', `A user with email ${email} already exists`);
  const u = ctx.store.create(email, name, (role as Role | undefined) ?? 'viewer');
  return { status: 201, body: dto(u), applied: true };
}

/**
 * PATCH /users/{id}: role and/or status (active or disabled). Disabling a pending user revokes the
 * invitation; enabling one who never accepted makes them pending again.
 */
export function updateUser(ctx: Ctx): Reply {
  const u = ctx.store.users.get(ctx.id!);
  if (!u) return notFound(ctx);
  const b = objectBody(ctx);
  if ('status' in b) return b;
  const keys = Object.keys(b.value);
  if (keys.length === 0) return ctx.fail(400, 'empty_update', 'The request body must change role or status');
  const fixed = keys.filter((k) => k === 'name' || k === 'email');
  if (fixed.length > 0) return ctx.fail(400, 'immutable_field', `${fixed.join(' and ')} cannot be changed`);
  const unknown = keys.filter((k) => k !== 'role' && k !== 'status');
  if (unknown.length > 0) return ctx.fail(400, 'invalid_request', `unknown field(s): ${unknown.join(', ')}`);
  const { role, status } = b.value;
  if (role !== undefined && !(ROLES as readonly unknown[]).includes(role))
    return ctx.fail(400, 'invalid_request', `role must be one of ${ROLES.join(', ')}`);
  if (status === 'pending') return ctx.fail(400, 'invalid_status', 'status cannot be set to pending');
  if (status !== undefined && status !== 'active' && status !== 'disabled')
    return ctx.fail(400, 'invalid_status', 'status must be active or disabled');
  if (isOwn(ctx, u) && ((role !== undefined && role !== 'admin') || status === 'disabled')) {
    return ctx.fail(403, 'cannot_modify_own_user', "The API key's own user cannot be demoted or disabled");
  }
  const before = `${u.role}/${u.status}`;
  if (role !== undefined) u.role = role as Role;
  if (status === 'disabled') u.status = 'disabled';
  if (status === 'active' && u.status === 'disabled') {
    u.status = u.accepted ? 'active' : 'pending';
    if (!u.accepted) u.invitedAt = ctx.options.now();
  }
  return { status: 200, body: dto(u), applied: `${u.role}/${u.status}` !== before };
}

export function deleteUser(ctx: Ctx): Reply {
  const u = ctx.store.users.get(ctx.id!);
  if (!u) return notFound(ctx);
  if (isOwn(ctx, u)) return ctx.fail(403, 'cannot_modify_own_user', "The API key's own user cannot be deleted");
  ctx.store.users.delete(u.id);
  return { status: 204, applied: true };
}

const isOwn = (ctx: Ctx, u: UserRec) => ctx.options.protectOwnUser && u.id === ctx.caller.id;
const notFound = (ctx: Ctx) => ctx.fail(404, 'user_not_found', `No user with id ${ctx.id}`);

function objectBody(ctx: Ctx): { value: Record<string, unknown> } | Reply {
  const b = ctx.body;
  if (typeof b !== 'object' || b === null || Array.isArray(b))
    return ctx.fail(400, 'invalid_request', 'The request body must be a JSON object');
  return { value: b as Record<string, unknown> };
}
