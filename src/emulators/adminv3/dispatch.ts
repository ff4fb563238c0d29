import type { Dispatch, EmulatorRequest, PipelineHooks, RateWindow, Reply } from '../index.js';
import { createUser, deleteUser, getUser, listUsers, updateUser, type Ctx } from './handlers.js';
import type { AdminV3Store } from './store.js';
import type { ResolvedAdminV3Options } from './types.js';

export interface AdminV3Deps {
  options(): ResolvedAdminV3Options;
  store(): AdminV3Store;
}

let requestSeq = 0;
/** The seed's error envelope: {error: {code, message, status, request_id}}. */
export const envelope = (status: number, code: string, message: string): Reply => ({
  status,
  body: { error: { code, message, status, request_id: `req_${(++requestSeq).toString(16).padStart(12, '0')}` } },
});

const bearer = (h: string | string[] | undefined) =>
  typeof h === 'string' ? /^Bearer (\S+)$/.exec(h)?.[1] : undefined;

/** The limit is per API key; calls without a usable key are counted by client IP. */
export const adminv3Hooks = (reset: () => void, deps: AdminV3Deps): PipelineHooks => ({
  name: 'adminv3',
  rateLimited: (retryAfter) => ({
    ...envelope(429, 'rate_limited', 'Too many requests: slow down and retry after the Retry-After seconds'),
    headers: { 'retry-after': retryAfter },
  }),
  serverError: (status) => envelope(status, 'server_error', 'Internal issue. Contact support if persistent'),
  reset,
  rateKey: (req) => bearer(req.headers.authorization) ?? `ip:${req.ip}`,
  rateHeaders: (w: RateWindow) => ({
    'x-ratelimit-limit': String(w.limit),
    'x-ratelimit-remaining': String(w.remaining),
    'x-ratelimit-reset': String(Math.ceil(w.resetAtMs / 1000)),
  }),
  control(method, name, raw) {
    if (name === 'accept-invitations') {
      if (method !== 'POST')
        return { status: 405, body: { message: `Method "${method}" not allowed.` }, headers: { allow: 'POST' } };
      let email: string | undefined;
      try {
        const b = JSON.parse(raw || '{}') as { email?: unknown };
        email = typeof b.email === 'string' ? b.email : undefined;
      } catch {
        return { status: 400, body: { message: 'Body must be a JSON object' } };
      }
      return { status: 200, body: { accepted: deps.store().accept(email) } };
    }
    return undefined;
  },
});

type Route = { method: string; item: boolean; handler: (ctx: Ctx) => Reply; write: boolean };
const ROUTES: Route[] = [
  { method: 'GET', item: false, handler: listUsers, write: false },
  { method: 'POST', item: false, handler: createUser, write: true },
  { method: 'GET', item: true, handler: getUser, write: false },
  { method: 'PATCH', item: true, handler: updateUser, write: true },
  { method: 'DELETE', item: true, handler: deleteUser, write: true },
];

/** After the shared stages: authentication (401), route (404/405), permission (403), JSON body (400), handler. */
export const adminv3Dispatch =
  (deps: AdminV3Deps): Dispatch =>
  (req: EmulatorRequest): Reply => {
    const o = deps.options();
    const store = deps.store();
    store.acceptDue(o.acceptInvitationsAfterMs);
    const fail = envelope;
    if (req.raw === undefined) return fail(413, 'payload_too_large', 'The request body exceeds 1 MiB');
    const key = bearer(req.headers.authorization);
    const owner = o.keys.find((k) => k.key === key);
    const caller = owner ? store.byEmail(owner.email) : undefined;
    if (!caller) return fail(401, 'invalid_api_key', 'The provided API key is expired or malformed.');

    const m = /^\/v3\/users(?:\/([^/]+))?\/?$/.exec(req.url.pathname);
    if (!m) return fail(404, 'not_found', 'Resource ID or endpoint does not exist');
    const id = m[1] === undefined ? undefined : decodeURIComponent(m[1]);
    const candidates = ROUTES.filter((r) => r.item === (id !== undefined));
    const route = candidates.find((r) => r.method === req.method);
    if (!route)
      return {
        ...fail(405, 'method_not_allowed', `${req.method} is not allowed here`),
        headers: { allow: candidates.map((r) => r.method).join(', ') },
      };
    if (route.write && o.enforcePermissions && (caller.role !== 'admin' || caller.status !== 'active')) {
      return fail(403, 'insufficient_permissions', "The API key's user must be an admin to manage users");
    }
    let body: unknown;
    if (route.method === 'POST' || route.method === 'PATCH') {
      try {
        body = req.raw.trim() === '' ? undefined : JSON.parse(req.raw);
      } catch {
        return fail(400, 'invalid_json', 'The request body is not valid JSON');
      }
    }
    return route.handler({ store, options: o, caller, id, query: req.url.searchParams, body, fail });
  };
