import { createHash, timingSafeEqual } from 'node:crypto';
import type { Dispatch, EmulatorRequest, PipelineHooks, Reply } from '../index.js';
import { fail, MSG, type Ctx } from './context.js';
import type { Hrefs } from './hal.js';
import type { ResourceStore } from './resources.js';
import { matchRoute } from './router.js';
import type { OrgStore } from './store.js';
import type { ResolvedOptions } from './types.js';

/** What one request needs; read fresh per request so reset() and setOptions() apply at once. */
export interface ChartioDeps {
  options(): ResolvedOptions;
  store(): OrgStore;
  resources(): ResourceStore;
  hrefs(): Hrefs;
}

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);
const digest = (s: string) => createHash('sha256').update(s).digest();

/** Chartio's own answers for the shared pipeline's generic stages. */
export const chartioHooks = (reset: () => void): PipelineHooks => ({
  name: 'chartio',
  rateLimited: (retryAfter) => fail(429, MSG.rateLimited, { 'retry-after': retryAfter }),
  serverError: (status) => fail(status, MSG.serverError),
  reset,
});

/** After the shared stages: body size (413), auth (401), org (403), route (404/405), JSON body (400), handler. */
export const chartioDispatch =
  (deps: ChartioDeps): Dispatch =>
  (req: EmulatorRequest): Reply => {
    const o = deps.options();
    const { method, url, raw } = req;
    if (raw === undefined) return fail(413, 'Request body too large.');
    const path = url.pathname.replace(/\/+$/, '');
    if (!path.startsWith('/v1/')) return fail(404, MSG.notFound);
    if (!authorized(o, req.headers.authorization))
      return fail(401, MSG.unauthorized, { 'www-authenticate': 'Basic realm="Chartio Admin API"' });
    const rawSegments = path.slice('/v1/'.length).split('/');
    if (rawSegments[0] !== o.org) return fail(403, MSG.forbidden);
    let segments: string[];
    try {
      segments = rawSegments.slice(1).map(decodeURIComponent);
    } catch {
      return fail(404, MSG.notFound);
    }
    const match = matchRoute(method, segments);
    if (match.kind === 'no-route') return fail(404, MSG.notFound);
    if (match.kind === 'bad-method')
      return fail(405, `Method "${method}" not allowed.`, { allow: match.allow.join(', ') });

    let body: unknown;
    if (BODY_METHODS.has(method) && raw.trim() !== '') {
      try {
        body = JSON.parse(raw);
      } catch {
        return fail(400, MSG.malformed);
      }
    }
    const ctx: Ctx = {
      store: deps.store(),
      resources: deps.resources(),
      hrefs: deps.hrefs(),
      options: o,
      params: match.params,
      query: url.searchParams,
      body,
    };
    return match.handler(ctx);
  };

/** Constant-time compare of `key:secret`; the secret never leaves this function. */
function authorized(o: ResolvedOptions, header: string | undefined): boolean {
  const m = /^basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!m) return false;
  const given = Buffer.from(m[1]!, 'base64').toString('utf8');
  return timingSafeEqual(digest(given), digest(`${o.apiKey}:${o.apiSecret}`));
}
