import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { Reply } from '../index.js';
import { MSG, type Caller } from './context.js';
import type { Access } from './router.js';
import type { GrafanaStore } from './store.js';
import type { OrgRole, ResolvedGrafanaOptions } from './types.js';

const digest = (s: string) => createHash('sha256').update(s).digest();
const same = (a: string, b: string) => timingSafeEqual(digest(a), digest(b));

/** Grafana's errutil body for authentication failures (pkg/services/authn/clients). */
const authnError = (message: string, messageId: string): Reply => ({
  status: 401,
  body: { message, messageId, statusCode: 401, traceID: '' },
});

/**
 * Basic (any user with a password; the admin's is `adminPassword`) or a service-account Bearer
 * token. X-Grafana-Org-Id picks the org of a Basic call; a token must stay in its own org.
 */
export function authenticate(
  o: ResolvedGrafanaOptions,
  store: GrafanaStore,
  headers: IncomingHttpHeaders,
): Caller | Reply {
  const header = headers.authorization ?? '';
  const orgHeader = headerValue(headers['x-grafana-org-id']);
  const requestedOrg = orgHeader !== undefined && /^\d+$/.test(orgHeader.trim()) ? Number(orgHeader.trim()) : undefined;

  const bearer = /^bearer\s+(\S+)\s*$/i.exec(header);
  if (bearer) {
    const token = o.tokens.find((t) => same(t.token, bearer[1]!));
    if (!token) return authnError('Invalid API key', 'api-key.invalid');
    if (requestedOrg !== undefined && requestedOrg !== token.orgId) {
      return authnError('API key does not belong to the requested organization', 'api-key.organization-mismatch');
    }
    return { kind: 'token', userId: undefined, orgId: token.orgId, role: token.role, isServerAdmin: false };
  }
  const basic = /^basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  // No usable credentials: the middleware writes authn's "cannot authenticate" error.
  if (!basic) return authnError(MSG.unauthorized, 'auth.unauthorized');
  const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const login = colon < 0 ? decoded : decoded.slice(0, colon);
  const password = colon < 0 ? '' : decoded.slice(colon + 1);
  const user = store.userByLoginOrEmail(login);
  const expected =
    user && user.login.toLowerCase() === o.adminUser.toLowerCase()
      ? o.adminPassword
      : user
        ? store.passwords.get(user.id)
        : undefined;
  if (!user || expected === undefined || !same(password, expected))
    return authnError('Invalid username or password', 'password-auth.failed');
  const orgId = requestedOrg ?? user.orgId;
  return {
    kind: 'user',
    userId: user.id,
    orgId,
    role: store.orgs.get(orgId)?.users.get(user.id),
    isServerAdmin: user.isAdmin,
  };
}

/**
 * Grafana's RBAC answer: 403 with the missing action. Org routes need the Admin role in the acting
 * org (a server admin may also manage org users there); `/api/orgs/:orgId...` routes are judged in
 * that org, where a server admin always passes; server routes need a Basic-auth server admin.
 */
export function authorize(
  store: GrafanaStore,
  caller: Caller,
  access: Access,
  params: Record<string, string>,
): Reply | undefined {
  if (access.kind === 'public') return undefined;
  const serverAdmin = caller.kind === 'user' && caller.isServerAdmin;
  if (access.kind === 'server') return serverAdmin ? undefined : denied(store, access.action);
  if (access.kind === 'pathOrg') {
    if (serverAdmin) return undefined;
    const orgId = Number(params.orgId);
    const role = roleIn(store, caller, orgId);
    return role === 'Admin' || (access.anyMember && role !== undefined) ? undefined : denied(store, access.action);
  }
  if (caller.role === undefined) return denied(store, access.action);
  if (access.anyMember || caller.role === 'Admin') return undefined;
  if (serverAdmin && access.action.startsWith('org.users')) return undefined;
  return denied(store, access.action);
}

/** The caller's role in another org: a token only has one in its own org. */
function roleIn(store: GrafanaStore, caller: Caller, orgId: number): OrgRole | undefined {
  if (caller.kind === 'token') return caller.orgId === orgId ? caller.role : undefined;
  return caller.userId === undefined ? undefined : store.orgs.get(orgId)?.users.get(caller.userId);
}

/** Grafana draws the ACE id at random; a counter per server keeps answers reproducible. */
function denied(store: GrafanaStore, action: string): Reply {
  store.accessDenials += 1;
  return {
    status: 403,
    body: {
      accessErrorId: `ACE${String(store.accessDenials).padStart(10, '0')}`,
      message: MSG.needPermission(action),
      title: 'Access denied',
    },
  };
}

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}
