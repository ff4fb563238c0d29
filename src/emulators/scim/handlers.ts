import type { Reply } from '../index.js';
import { groupDto, userDto, type GroupRec, type ScimStore, type UserRec } from './store.js';
import type { ResolvedScimOptions } from './types.js';

export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
const LIST = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';

export interface Ctx {
  store: ScimStore;
  options: ResolvedScimOptions;
  id: string | undefined;
  query: URLSearchParams;
  body: unknown;
}

/** RFC 7644 3.12: the Error message. */
export const scimError = (status: number, scimType: string | undefined, detail: string): Reply => ({
  status,
  body: { schemas: [ERROR], status: String(status), ...(scimType ? { scimType } : {}), detail },
});

const INT = /^\d+$/;
const USER_KEYS = new Set([
  'schemas',
  'id',
  'meta',
  'userName',
  'externalId',
  'displayName',
  'name',
  'emails',
  'active',
  'roles',
  'entitlements',
]);
const GROUP_KEYS = new Set(['schemas', 'id', 'meta', 'displayName', 'members', 'externalId']);

/** GET list: startIndex (1-based), count (capped at maxResults), filter `attr eq "value"` on the attributes given. */
export function list(ctx: Ctx, kind: 'User' | 'Group'): Reply {
  const q = ctx.query;
  const start = q.get('startIndex') ?? '1';
  const count = q.get('count') ?? String(ctx.options.maxResults);
  if (!INT.test(start) || Number(start) < 1)
    return scimError(400, 'invalidValue', 'startIndex must be an integer >= 1');
  if (!INT.test(count)) return scimError(400, 'invalidValue', 'count must be a non-negative integer');
  let all: { id: string }[] = kind === 'User' ? [...ctx.store.users.values()] : [...ctx.store.groups.values()];
  const filter = q.get('filter');
  if (filter !== null && !ctx.options.filter) return scimError(400, 'invalidFilter', 'filtering is not supported');
  if (filter !== null) {
    const attrs = kind === 'User' ? ['userName', 'externalId'] : ['displayName', 'externalId'];
    const m = /^\s*(\w+)\s+eq\s+("(?:[^"\\]|\\.)*")\s*$/i.exec(filter);
    const attr = m ? attrs.find((a) => a.toLowerCase() === m[1]!.toLowerCase()) : undefined;
    if (!m || !attr)
      return scimError(400, 'invalidFilter', `unsupported filter: ${filter} (only ${attrs.join(' or ')} eq "...")`);
    let value: string;
    try {
      value = String(JSON.parse(m[2]!));
    } catch {
      return scimError(400, 'invalidFilter', `bad string literal in filter: ${filter}`);
    }
    const v = value.toLowerCase();
    all = all.filter((r) => String((r as unknown as Record<string, unknown>)[attr] ?? '').toLowerCase() === v);
  }
  const s = Number(start);
  const n = Math.min(Number(count), ctx.options.maxResults);
  const page = all.slice(s - 1, s - 1 + n);
  return {
    status: 200,
    body: {
      schemas: [LIST],
      totalResults: all.length,
      startIndex: s,
      itemsPerPage: page.length,
      Resources: page.map((r) => (kind === 'User' ? userDto(r as UserRec) : groupDto(r as GroupRec, ctx.store.users))),
    },
  };
}

export function getOne(ctx: Ctx, kind: 'User' | 'Group'): Reply {
  if (kind === 'User') {
    const u = ctx.store.users.get(ctx.id!);
    return u ? { status: 200, body: userDto(u) } : notFound('User', ctx.id!);
  }
  const g = ctx.store.groups.get(ctx.id!);
  return g ? { status: 200, body: groupDto(g, ctx.store.users) } : notFound('Group', ctx.id!);
}

const notFound = (kind: string, id: string) => scimError(404, undefined, `${kind} ${id} not found`);

function objectOf(body: unknown): Record<string, unknown> | Reply {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return scimError(400, 'invalidSyntax', 'the request body must be a JSON object');
  return body as Record<string, unknown>;
}
const isReply = (v: unknown): v is Reply =>
  typeof v === 'object' && v !== null && 'status' in v && typeof (v as Reply).status === 'number' && !('userName' in v);

/** Checks a whole user (create or replace) and returns its fields. */
function userFields(
  b: Record<string, unknown>,
  store: ScimStore,
  self?: UserRec,
): Omit<UserRec, 'id' | 'version'> | Reply {
  if (!Array.isArray(b.schemas) || !b.schemas.includes(USER_SCHEMA))
    return scimError(400, 'invalidSyntax', `schemas must include ${USER_SCHEMA}`);
  const unknown = Object.keys(b).filter((k) => !USER_KEYS.has(k));
  if (unknown.length > 0) return scimError(400, 'invalidSyntax', `unknown attribute(s): ${unknown.join(', ')}`);
  if (typeof b.userName !== 'string' || b.userName.trim() === '')
    return scimError(400, 'invalidValue', 'userName: a non-empty string is required');
  const taken = store.userByName(b.userName);
  if (taken && taken !== self) return scimError(409, 'uniqueness', `userName ${b.userName} is already in use`);
  const fields: Omit<UserRec, 'id' | 'version'> = {
    userName: b.userName,
    emails: [],
    active: true,
    roles: [],
    entitlements: [],
  };
  for (const [k, v] of Object.entries(b)) {
    if (k === 'schemas' || k === 'id' || k === 'meta' || k === 'userName') continue;
    const problem = setUserAttr(fields as UserRec, k, v);
    if (problem) return problem;
  }
  return fields;
}

/** Sets one user attribute (a top-level name or name.givenName / name.familyName); a Reply when refused. */
function setUserAttr(u: UserRec, path: string, v: unknown): Reply | undefined {
  const str = (what: string) => scimError(400, 'invalidValue', `${what}: expected a string, got ${JSON.stringify(v)}`);
  const multi = (what: string) =>
    Array.isArray(v) &&
    v.every((x) => typeof x === 'object' && x !== null && typeof (x as { value?: unknown }).value === 'string')
      ? undefined
      : scimError(400, 'invalidValue', `${what}: expected a list of {value}`);
  switch (path) {
    case 'userName':
      if (typeof v !== 'string' || v.trim() === '') return str('userName');
      u.userName = v;
      return undefined;
    case 'externalId':
    case 'displayName':
      if (typeof v !== 'string') return str(path);
      u[path] = v;
      return undefined;
    case 'active':
      if (typeof v !== 'boolean')
        return scimError(400, 'invalidValue', `active: expected a boolean, got ${JSON.stringify(v)}`);
      u.active = v;
      return undefined;
    case 'name': {
      if (typeof v !== 'object' || v === null || Array.isArray(v))
        return scimError(400, 'invalidValue', 'name: expected an object');
      const n = v as Record<string, unknown>;
      for (const [k, x] of Object.entries(n)) {
        if (k !== 'givenName' && k !== 'familyName' && k !== 'formatted')
          return scimError(400, 'invalidPath', `name.${k}: not an attribute`);
        if (typeof x !== 'string') return str(`name.${k}`);
      }
      u.name = {
        ...(typeof n.givenName === 'string' ? { givenName: n.givenName } : {}),
        ...(typeof n.familyName === 'string' ? { familyName: n.familyName } : {}),
      };
      return undefined;
    }
    case 'name.givenName':
    case 'name.familyName':
      if (typeof v !== 'string') return str(path);
      u.name = { ...u.name, [path.slice(5)]: v };
      return undefined;
    case 'emails':
      return (
        multi('emails') ??
        void (u.emails = (v as UserRec['emails']).map((e) => ({
          value: e.value,
          ...(e.type ? { type: e.type } : {}),
          ...(e.primary ? { primary: true } : {}),
        })))
      );
    case 'roles':
    case 'entitlements':
      return multi(path) ?? void (u[path] = (v as { value: string }[]).map((x) => ({ value: x.value })));
    case 'id':
    case 'meta':
      return scimError(400, 'mutability', `${path} is read-only`);
    default:
      return scimError(400, 'invalidPath', `${path}: not an attribute of User`);
  }
}

export function createUser(ctx: Ctx): Reply {
  const b = objectOf(ctx.body);
  if (isReply(b)) return b;
  const f = userFields(b, ctx.store);
  if (isReply(f)) return f;
  const u: UserRec = { ...f, id: ctx.store.newId('u'), version: 1 };
  ctx.store.users.set(u.id, u);
  return { status: 201, body: userDto(u), applied: true, headers: { location: `/scim/v2/Users/${u.id}` } };
}

export function putUser(ctx: Ctx): Reply {
  const u = ctx.store.users.get(ctx.id!);
  if (!u) return notFound('User', ctx.id!);
  const b = objectOf(ctx.body);
  if (isReply(b)) return b;
  if (b.id !== undefined && b.id !== u.id) return scimError(400, 'mutability', 'id cannot be changed');
  const f = userFields(b, ctx.store, u);
  if (isReply(f)) return f;
  const before = JSON.stringify(userDto(u));
  Object.assign(u, { externalId: undefined, displayName: undefined, name: undefined }, f);
  const changed = JSON.stringify(userDto(u)) !== before;
  if (changed) u.version++;
  return { status: 200, body: userDto(u), applied: changed };
}

type Operation = { op: string; path?: string; value?: unknown };

function operationsOf(body: unknown): Operation[] | Reply {
  const b = objectOf(body);
  if (isReply(b)) return b;
  if (!Array.isArray(b.schemas) || !b.schemas.includes(PATCH_OP))
    return scimError(400, 'invalidSyntax', `schemas must be [${PATCH_OP}]`);
  if (!Array.isArray(b.Operations) || b.Operations.length === 0)
    return scimError(400, 'invalidSyntax', 'Operations: a non-empty list is required');
  for (const o of b.Operations as Operation[]) {
    if (typeof o !== 'object' || o === null || !['add', 'remove', 'replace'].includes(String(o.op).toLowerCase()))
      return scimError(
        400,
        'invalidSyntax',
        `op must be add, remove or replace, got ${JSON.stringify((o as Operation | null)?.op)}`,
      );
    if (o.path !== undefined && typeof o.path !== 'string')
      return scimError(400, 'invalidPath', 'path must be a string');
  }
  return (b.Operations as Operation[]).map((o) => ({ ...o, op: o.op.toLowerCase() }));
}

export function patchUser(ctx: Ctx): Reply {
  const u = ctx.store.users.get(ctx.id!);
  if (!u) return notFound('User', ctx.id!);
  const ops = operationsOf(ctx.body);
  if (isReply(ops)) return ops;
  const draft: UserRec = structuredClone(u);
  for (const o of ops) {
    if (o.op === 'remove') {
      if (o.path === undefined) return scimError(400, 'noTarget', 'remove needs a path');
      if (o.path === 'userName' || o.path === 'id') return scimError(400, 'mutability', `${o.path} cannot be removed`);
      const problem =
        o.path === 'roles' || o.path === 'entitlements'
          ? setUserAttr(draft, o.path, [])
          : setUserAttr(draft, o.path, '');
      if (problem) return problem;
      continue;
    }
    const pairs = o.path === undefined ? valueObject(o.value) : [[o.path, o.value] as const];
    if (isReply(pairs)) return pairs;
    for (const [path, value] of pairs) {
      if (path === 'userName' && typeof value === 'string') {
        const taken = ctx.store.userByName(value);
        if (taken && taken.id !== u.id) return scimError(409, 'uniqueness', `userName ${value} is already in use`);
      }
      const merged =
        o.op === 'add' && (path === 'roles' || path === 'entitlements') && Array.isArray(value)
          ? [...draft[path], ...(value as { value: string }[])]
          : value;
      const problem = setUserAttr(draft, path, merged);
      if (problem) return problem;
    }
  }
  const changed = JSON.stringify(userDto(draft)) !== JSON.stringify(userDto(u));
  if (changed) Object.assign(u, draft, { version: u.version + 1 });
  return { status: 200, body: userDto(u), applied: changed };
}

function valueObject(v: unknown): (readonly [string, unknown])[] | Reply {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    return scimError(400, 'invalidValue', 'an operation without a path needs an object value');
  return Object.entries(v as Record<string, unknown>);
}

export function deleteOne(ctx: Ctx, kind: 'User' | 'Group'): Reply {
  const ok = kind === 'User' ? ctx.store.deleteUser(ctx.id!) : ctx.store.groups.delete(ctx.id!);
  return ok ? { status: 204, applied: true } : notFound(kind, ctx.id!);
}

function membersOf(ctx: Ctx, v: unknown): string[] | Reply {
  if (!Array.isArray(v)) return scimError(400, 'invalidValue', 'members: expected a list of {value}');
  const ids: string[] = [];
  for (const m of v) {
    const id = typeof m === 'object' && m !== null ? (m as { value?: unknown }).value : undefined;
    if (typeof id !== 'string') return scimError(400, 'invalidValue', 'members: every member needs a value');
    if (!ctx.store.users.has(id)) return scimError(400, 'invalidValue', `members: no user with id ${id}`);
    ids.push(id);
  }
  return ids;
}

function groupName(ctx: Ctx, v: unknown, self?: GroupRec): string | Reply {
  if (typeof v !== 'string' || v.trim() === '')
    return scimError(400, 'invalidValue', 'displayName: a non-empty string is required');
  const taken = ctx.store.groupByName(v);
  if (taken && taken !== self) return scimError(409, 'uniqueness', `a group named ${v} already exists`);
  return v;
}

export function createGroup(ctx: Ctx): Reply {
  const b = objectOf(ctx.body);
  if (isReply(b)) return b;
  if (!Array.isArray(b.schemas) || !b.schemas.includes(GROUP_SCHEMA))
    return scimError(400, 'invalidSyntax', `schemas must include ${GROUP_SCHEMA}`);
  const unknown = Object.keys(b).filter((k) => !GROUP_KEYS.has(k));
  if (unknown.length > 0) return scimError(400, 'invalidSyntax', `unknown attribute(s): ${unknown.join(', ')}`);
  const name = groupName(ctx, b.displayName);
  if (typeof name !== 'string') return name;
  const members = membersOf(ctx, b.members ?? []);
  if (isReply(members)) return members;
  const g: GroupRec = { id: ctx.store.newId('g'), displayName: name, members: new Set(members), version: 1 };
  ctx.store.groups.set(g.id, g);
  return {
    status: 201,
    body: groupDto(g, ctx.store.users),
    applied: true,
    headers: { location: `/scim/v2/Groups/${g.id}` },
  };
}

export function putGroup(ctx: Ctx): Reply {
  const g = ctx.store.groups.get(ctx.id!);
  if (!g) return notFound('Group', ctx.id!);
  const b = objectOf(ctx.body);
  if (isReply(b)) return b;
  if (b.id !== undefined && b.id !== g.id) return scimError(400, 'mutability', 'id cannot be changed');
  const unknown = Object.keys(b).filter((k) => !GROUP_KEYS.has(k));
  if (unknown.length > 0) return scimError(400, 'invalidSyntax', `unknown attribute(s): ${unknown.join(', ')}`);
  const name = groupName(ctx, b.displayName, g);
  if (typeof name !== 'string') return name;
  const members = membersOf(ctx, b.members ?? []);
  if (isReply(members)) return members;
  const before = JSON.stringify(groupDto(g, ctx.store.users));
  g.displayName = name;
  g.members = new Set(members);
  const changed = JSON.stringify(groupDto(g, ctx.store.users)) !== before;
  if (changed) g.version++;
  return { status: 200, body: groupDto(g, ctx.store.users), applied: changed };
}

const MEMBER_FILTER = /^members\[\s*value\s+eq\s+("(?:[^"\\]|\\.)*")\s*\]$/i;

export function patchGroup(ctx: Ctx): Reply {
  const g = ctx.store.groups.get(ctx.id!);
  if (!g) return notFound('Group', ctx.id!);
  const ops = operationsOf(ctx.body);
  if (isReply(ops)) return ops;
  let name = g.displayName;
  const members = new Set(g.members);
  const removal = ctx.options.memberRemoval;
  for (const o of ops) {
    const path = o.path;
    if (o.op === 'remove') {
      const m = path === undefined ? null : MEMBER_FILTER.exec(path);
      if (m) {
        if (removal === 'value-list')
          return scimError(400, 'invalidPath', `filters in a remove path are not supported: ${path}`);
        members.delete(String(JSON.parse(m[1]!)));
      } else if (path?.toLowerCase() === 'members' && o.value !== undefined) {
        if (removal === 'filter-path')
          return scimError(
            400,
            'invalidSyntax',
            'remove members takes a path filter members[value eq "id"], not a value',
          );
        if (!Array.isArray(o.value)) return scimError(400, 'invalidValue', 'members: expected a list of {value}');
        for (const v of o.value as { value?: unknown }[]) members.delete(String(v?.value));
      } else if (path?.toLowerCase() === 'members') members.clear();
      else
        return scimError(400, path === undefined ? 'noTarget' : 'invalidPath', `cannot remove ${path ?? '(no path)'}`);
      continue;
    }
    const pairs = path === undefined ? valueObject(o.value) : [[path, o.value] as const];
    if (isReply(pairs)) return pairs;
    for (const [p, value] of pairs) {
      if (p === 'displayName') {
        const n = groupName(ctx, value, g);
        if (typeof n !== 'string') return n;
        name = n;
      } else if (p.toLowerCase() === 'members') {
        const ids = membersOf(ctx, value);
        if (isReply(ids)) return ids;
        if (o.op === 'replace') members.clear();
        for (const id of ids) members.add(id);
      } else if (p === 'id') return scimError(400, 'mutability', 'id is read-only');
      else return scimError(400, 'invalidPath', `${p}: not an attribute of Group`);
    }
  }
  const changed =
    name !== g.displayName || members.size !== g.members.size || [...members].some((m) => !g.members.has(m));
  if (changed) Object.assign(g, { displayName: name, members, version: g.version + 1 });
  return { status: 200, body: groupDto(g, ctx.store.users), applied: changed };
}
