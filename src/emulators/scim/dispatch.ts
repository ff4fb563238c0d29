import type { Dispatch, EmulatorRequest, PipelineHooks, Reply } from '../index.js';
import {
  createGroup,
  createUser,
  deleteOne,
  getOne,
  list,
  patchGroup,
  patchUser,
  putGroup,
  putUser,
  scimError,
  GROUP_SCHEMA,
  USER_SCHEMA,
  type Ctx,
} from './handlers.js';
import type { ScimStore } from './store.js';
import type { ResolvedScimOptions } from './types.js';

export interface ScimDeps {
  options(): ResolvedScimOptions;
  store(): ScimStore;
}

const bearer = (h: string | string[] | undefined) =>
  typeof h === 'string' ? /^Bearer (\S+)$/.exec(h)?.[1] : undefined;

export const scimHooks = (reset: () => void): PipelineHooks => ({
  name: 'scim',
  rateLimited: (retryAfter) => ({
    ...scimError(429, undefined, 'Too many requests'),
    headers: { 'retry-after': retryAfter },
  }),
  serverError: (status) => scimError(status, undefined, 'Internal server error'),
  reset,
  rateKey: (req) => bearer(req.headers.authorization) ?? `ip:${req.ip}`,
});

const LIST = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';

/** RFC 7643 5: what this server supports, from its options. */
function serviceProviderConfig(o: ResolvedScimOptions): Reply {
  return {
    status: 200,
    body: {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'],
      patch: { supported: o.patch },
      bulk: o.bulk ? { supported: true, ...o.bulk } : { supported: false, maxOperations: 0, maxPayloadSize: 0 },
      filter: { supported: o.filter, maxResults: o.maxResults },
      changePassword: { supported: false },
      sort: { supported: false },
      etag: { supported: false },
      authenticationSchemes: [{ type: 'oauthbearertoken', name: 'OAuth Bearer Token', description: 'Bearer token' }],
    },
  };
}

const RESOURCE_TYPES = [
  {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:ResourceType'],
    id: 'User',
    name: 'User',
    endpoint: '/Users',
    schema: USER_SCHEMA,
  },
  {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:ResourceType'],
    id: 'Group',
    name: 'Group',
    endpoint: '/Groups',
    schema: GROUP_SCHEMA,
  },
];
const attrs = (names: string[]) => names.map((name) => ({ name }));
const SCHEMAS = [
  {
    id: USER_SCHEMA,
    name: 'User',
    attributes: attrs(['userName', 'externalId', 'name', 'displayName', 'emails', 'active', 'roles', 'entitlements']),
  },
  { id: GROUP_SCHEMA, name: 'Group', attributes: attrs(['displayName', 'members']) },
];
const listOf = (items: unknown[]): Reply => ({
  status: 200,
  body: { schemas: [LIST], totalResults: items.length, startIndex: 1, itemsPerPage: items.length, Resources: items },
});

/** One resource call (also one /Bulk operation). */
function route(ctx: Ctx, method: string, kind: 'User' | 'Group', o: ResolvedScimOptions): Reply {
  const item = ctx.id !== undefined;
  if (method === 'GET') return item ? getOne(ctx, kind) : list(ctx, kind);
  if (method === 'POST' && !item) return kind === 'User' ? createUser(ctx) : createGroup(ctx);
  if (method === 'PUT' && item) return kind === 'User' ? putUser(ctx) : putGroup(ctx);
  if (method === 'PATCH' && item) {
    if (!o.patch) return scimError(501, undefined, 'PATCH is not supported by this server');
    return kind === 'User' ? patchUser(ctx) : patchGroup(ctx);
  }
  if (method === 'DELETE' && item) return deleteOne(ctx, kind);
  return {
    ...scimError(405, undefined, `${method} is not allowed here`),
    headers: { allow: item ? 'GET, PUT, PATCH, DELETE' : 'GET, POST' },
  };
}

const RESOURCE = /^\/(Users|Groups)(?:\/([^/]+))?\/?$/;

/** RFC 7644 3.7: operations in order, failOnErrors honoured; each applied like a call of its own. */
function bulk(deps: ScimDeps, raw: string, body: unknown): Reply {
  const o = deps.options();
  if (!o.bulk) return scimError(404, undefined, 'Bulk is not supported by this server');
  if (Buffer.byteLength(raw) > o.bulk.maxPayloadSize)
    return scimError(413, undefined, `the payload exceeds maxPayloadSize ${o.bulk.maxPayloadSize}`);
  const b = body as { schemas?: unknown; Operations?: unknown; failOnErrors?: unknown } | null;
  if (!b || !Array.isArray(b.schemas) || !b.schemas.includes('urn:ietf:params:scim:api:messages:2.0:BulkRequest'))
    return scimError(400, 'invalidSyntax', 'schemas must be [urn:ietf:params:scim:api:messages:2.0:BulkRequest]');
  if (!Array.isArray(b.Operations)) return scimError(400, 'invalidSyntax', 'Operations: a list is required');
  if (b.Operations.length > o.bulk.maxOperations)
    return scimError(
      413,
      undefined,
      `the request has ${b.Operations.length} operations, over maxOperations ${o.bulk.maxOperations}`,
    );
  const failLimit = typeof b.failOnErrors === 'number' ? b.failOnErrors : Infinity;
  let errors = 0;
  let applied = false;
  const out: unknown[] = [];
  for (const op of b.Operations as { method?: string; path?: string; bulkId?: string; data?: unknown }[]) {
    if (errors >= failLimit) break;
    const m = RESOURCE.exec(op.path ?? '');
    const method = String(op.method ?? '').toUpperCase();
    const reply = m
      ? route(
          {
            store: deps.store(),
            options: o,
            id: m[2] === undefined ? undefined : decodeURIComponent(m[2]),
            query: new URLSearchParams(),
            body: op.data,
          },
          method,
          m[1] === 'Users' ? 'User' : 'Group',
          o,
        )
      : scimError(400, 'invalidPath', `bad bulk path ${op.path}`);
    if (reply.applied) applied = true;
    if (reply.status >= 400) errors++;
    out.push({
      method,
      ...(op.bulkId ? { bulkId: op.bulkId } : {}),
      ...(reply.headers?.location ? { location: reply.headers.location } : {}),
      status: String(reply.status),
      ...(reply.status >= 400 ? { response: reply.body } : {}),
    });
  }
  return {
    status: 200,
    body: { schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkResponse'], Operations: out },
    applied,
  };
}

/** Authentication (401), discovery endpoints, resources, /Bulk. */
export const scimDispatch =
  (deps: ScimDeps): Dispatch =>
  (req: EmulatorRequest): Reply => {
    const o = deps.options();
    if (req.raw === undefined) return scimError(413, undefined, 'The request body exceeds 1 MiB');
    if (bearer(req.headers.authorization) !== o.token) return scimError(401, undefined, 'Authorization failure');
    const path = req.url.pathname.replace(/^\/scim\/v2(?=\/)/, '');
    if (!req.url.pathname.startsWith('/scim/v2/')) return scimError(404, undefined, `no endpoint ${req.url.pathname}`);
    let body: unknown;
    if (req.method === 'POST' || req.method === 'PUT' || req.method === 'PATCH') {
      try {
        body = req.raw.trim() === '' ? undefined : JSON.parse(req.raw);
      } catch {
        return scimError(400, 'invalidSyntax', 'The request body is not valid JSON');
      }
    }
    if (req.method === 'GET' && path === '/ServiceProviderConfig') return serviceProviderConfig(o);
    if (req.method === 'GET' && path === '/ResourceTypes') return listOf(RESOURCE_TYPES);
    if (req.method === 'GET' && path === '/Schemas') return listOf(SCHEMAS);
    if (path === '/Bulk')
      return req.method === 'POST' ? bulk(deps, req.raw, body) : scimError(405, undefined, 'POST only');
    const m = RESOURCE.exec(path);
    if (!m) return scimError(404, undefined, `no endpoint ${req.url.pathname}`);
    const ctx: Ctx = {
      store: deps.store(),
      options: o,
      id: m[2] === undefined ? undefined : decodeURIComponent(m[2]),
      query: req.url.searchParams,
      body,
    };
    return route(ctx, req.method, m[1] === 'Users' ? 'User' : 'Group', o);
  };
