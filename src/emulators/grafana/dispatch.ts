import type { Dispatch, EmulatorRequest, PipelineHooks, Reply } from '../index.js';
import { authenticate, authorize } from './auth.js';
import { fail, MSG, type Ctx } from './context.js';
import { matchRoute } from './router.js';
import type { GrafanaStore } from './store.js';
import type { ResolvedGrafanaOptions } from './types.js';

export interface GrafanaDeps {
  options(): ResolvedGrafanaOptions;
  store(): GrafanaStore;
}

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);
const STATUS_TEXT: Record<number, string> = {
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

/** Grafana documents no rate limit; when one is configured the 429 carries Retry-After like any proxy would. */
export const grafanaHooks = (reset: () => void): PipelineHooks => ({
  name: 'grafana',
  rateLimited: (retryAfter) => ({
    status: 429,
    body: { message: 'Too Many Requests' },
    headers: { 'retry-after': retryAfter },
  }),
  serverError: (status) => fail(status, STATUS_TEXT[status] ?? 'Internal Server Error'),
  reset,
});

/** After the shared stages: route (404), health (no auth), authentication (401), RBAC (403), JSON body (400), handler. */
export const grafanaDispatch =
  (deps: GrafanaDeps): Dispatch =>
  (req: EmulatorRequest): Reply => {
    const o = deps.options();
    const store = deps.store();
    const { method, url, raw } = req;
    if (raw === undefined) return fail(413, 'Request Entity Too Large');
    const path = url.pathname.replace(/\/+$/, '');
    if (!path.startsWith('/api/')) return fail(404, MSG.notFound);
    let segments: string[];
    try {
      segments = path.slice('/api/'.length).split('/').map(decodeURIComponent);
    } catch {
      return fail(404, MSG.notFound);
    }
    const match = matchRoute(method, segments, o.version);
    if (!match) return fail(404, MSG.notFound);
    if (match.access.kind === 'public')
      return { status: 200, body: { commit: 'emulator', database: 'ok', version: o.version } };

    const caller = authenticate(o, store, req.headers);
    if ('status' in caller) return caller;
    const denied = authorize(store, caller, match.access, match.params);
    if (denied) return denied;

    let body: unknown;
    if (BODY_METHODS.has(method) && raw.trim() !== '') {
      try {
        body = JSON.parse(raw);
      } catch {
        return fail(400, MSG.badRequest);
      }
    }
    const ctx: Ctx = { store, options: o, caller, params: match.params, query: url.searchParams, body };
    return match.handler(ctx);
  };
