import type { Dispatch, EmulatorRequest, PipelineHooks, Reply } from '../index.js';
import { fail, type DcStore } from './store.js';
import type { ResolvedDcOptions } from './types.js';

export interface DcDeps {
  options(): ResolvedDcOptions;
  store(): DcStore;
}

const STATUS_TEXT: Record<number, string> = {
  500: 'internal server error',
  502: 'bad gateway',
  503: 'service unavailable',
};

export const dcHooks = (reset: () => void): PipelineHooks => ({
  name: 'datacentral',
  rateLimited: (retryAfter) => ({
    ...fail(429, 'rate_limited', 'too many requests'),
    headers: { 'retry-after': retryAfter },
  }),
  serverError: (status) => fail(status, 'server_error', STATUS_TEXT[status] ?? 'internal server error'),
  reset,
});

/** A page of a list: 1-based page, pageSize 1-200 (default 50), with the whole count. */
function page<T>(items: T[], q: URLSearchParams): Reply {
  const num = (k: string, d: number) => (q.has(k) ? Number(q.get(k)) : d);
  const p = num('page', 1);
  const size = num('pageSize', 50);
  if (!Number.isInteger(p) || p < 1) return fail(400, 'invalid_page', 'page must be an integer >= 1');
  if (!Number.isInteger(size) || size < 1 || size > 200)
    return fail(400, 'invalid_page_size', 'pageSize must be an integer from 1 to 200');
  return {
    status: 200,
    body: { items: items.slice((p - 1) * size, p * size), page: p, pageSize: size, totalCount: items.length },
  };
}

/** Bearer tenant key (401), routes under /v1 (404, 405), JSON bodies (400), then the store's checks. */
export const dcDispatch =
  (deps: DcDeps): Dispatch =>
  (req: EmulatorRequest): Reply => {
    const o = deps.options();
    const store = deps.store();
    const { method, url, raw } = req;
    if (raw === undefined) return fail(413, 'payload_too_large', 'request body too large');
    if (req.headers.authorization !== `Bearer ${o.apiKey}`)
      return fail(401, 'unauthorized', 'a valid tenant API key is required');
    const parts = url.pathname
      .replace(/\/+$/, '')
      .split('/')
      .slice(1)
      .map((s) => decodeURIComponent(s));
    if (parts[0] !== 'v1') return fail(404, 'not_found', 'no such endpoint');
    const [res, id, sub, ...rest] = parts.slice(1);
    if (rest.length > 0) return fail(404, 'not_found', 'no such endpoint');
    let body: unknown;
    if (method === 'POST' || method === 'PATCH') {
      try {
        body = raw.trim() === '' ? undefined : JSON.parse(raw);
      } catch {
        return fail(400, 'invalid_json', 'the body is not JSON');
      }
    }
    const route = `${method} ${res ?? ''}${id !== undefined ? '/:id' : ''}${sub !== undefined ? `/${sub}` : ''}`;
    switch (route) {
      case 'GET users':
        return page([...store.users.values()], url.searchParams);
      case 'POST users':
        return store.createUser(body);
      case 'GET users/:id':
        return store.users.get(id!)
          ? { status: 200, body: store.users.get(id!) }
          : fail(404, 'not_found', `user ${id} not found`);
      case 'PATCH users/:id':
        return store.patchUser(id!, body);
      case 'DELETE users/:id':
        return store.deleteUser(id!);
      case 'GET roles':
        return page([...store.roles.values()], url.searchParams);
      case 'POST roles':
        return store.createRole(body);
      case 'GET organization-units':
        return page([...store.units.values()], url.searchParams);
      case 'POST organization-units':
        return store.createUnit(body);
      case 'POST organization-units/:id/sync':
        return store.units.has(id!)
          ? { status: 202, body: { id, status: 'queued' } }
          : fail(404, 'not_found', `unit ${id} not found`);
    }
    const known = ['users', 'roles', 'organization-units'].includes(res ?? '');
    return known
      ? fail(405, 'method_not_allowed', `${method} is not allowed here`)
      : fail(404, 'not_found', 'no such endpoint');
  };
