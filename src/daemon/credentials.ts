import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** A status-page credential: who it is (recorded on decisions) and its secret. */
export interface NamedToken {
  name: string;
  token: string;
}

/** The session cookie set by the sign-in form. */
export const SESSION_COOKIE = 'rostersync_session';
/** A sign-in lasts this long; then the form asks for the token again. */
export const SESSION_MS = 12 * 60 * 60_000;

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The token whose secret this is (every one compared, so timing says nothing of which). */
export function tokenFor(tokens: readonly NamedToken[], secret: string): NamedToken | undefined {
  let hit: NamedToken | undefined;
  for (const t of tokens) if (same(t.token, secret) && !hit) hit = t;
  return hit;
}

/**
 * A session value: the token's name, when it was issued and an HMAC keyed by that token's secret.
 * Stateless (any replica checks it), never carrying the secret, and void once the token is rotated.
 */
export function sessionValue(t: NamedToken, now = Date.now()): string {
  const name = Buffer.from(t.name).toString('base64url');
  return `${name}.${now.toString(36)}.${sessionMac(t, now)}`;
}

function sessionMac(t: NamedToken, issued: number): string {
  return createHmac('sha256', t.token).update(`rostersync-session\n${t.name}\n${issued}`).digest('base64url');
}

/** The token a session cookie stands for, if it is one of ours and not expired. */
export function sessionToken(tokens: readonly NamedToken[], value: string, now = Date.now()): NamedToken | undefined {
  const m = /^([A-Za-z0-9_-]+)\.([0-9a-z]+)\.([A-Za-z0-9_-]+)$/.exec(value);
  if (!m) return undefined;
  const name = Buffer.from(m[1]!, 'base64url').toString();
  const issued = parseInt(m[2]!, 36);
  if (!(issued <= now + 60_000 && now - issued <= SESSION_MS)) return undefined;
  const t = tokens.find((x) => x.name === name);
  return t && same(sessionMac(t, issued), m[3]!) ? t : undefined;
}

/** `Set-Cookie` for a session: script cannot read it, and no other site's request carries it. */
export function sessionCookie(value: string, secure: boolean): string {
  return `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${SESSION_MS / 1000}${secure ? '; Secure' : ''}`;
}

export function clearedSessionCookie(): string {
  return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`;
}

function cookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return undefined;
}

/**
 * Who is calling: `Authorization: Bearer <token>` (RFC 6750: another scheme or a bare token is
 * refused), else the sign-in cookie. With no token configured, everyone (loopback by default).
 */
export function caller(
  req: IncomingMessage,
  tokens: readonly NamedToken[],
): { name: string; token?: NamedToken; via: 'open' | 'bearer' | 'cookie' } | undefined {
  if (tokens.length === 0) return { name: 'status-page', via: 'open' };
  const m = /^Bearer +(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  if (m) {
    const t = tokenFor(tokens, m[1]!);
    return t ? { name: t.name, token: t, via: 'bearer' } : undefined;
  }
  if (req.headers.authorization !== undefined) return undefined;
  const value = cookie(req, SESSION_COOKIE);
  const t = value ? sessionToken(tokens, value) : undefined;
  return t ? { name: t.name, token: t, via: 'cookie' } : undefined;
}
