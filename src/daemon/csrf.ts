import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** A form token is good for this long after the page was rendered. */
export const FORM_TOKEN_MS = 60 * 60_000;

/**
 * A per-page form token: the time it was issued and an HMAC, keyed by the daemon's Bearer token,
 * over that time and the run it decides. Stateless (any replica checks it), bound to one run, and
 * impossible to forge without the token. The pages set no cookie at all, so there is no session a
 * cross-site form could ride on; this guards the case of a proxy that adds the Bearer header for
 * the browser, where a forged POST would otherwise arrive authorised.
 */
export function formToken(secret: string, profile: string, runId: string, now = Date.now()): string {
  return `${now.toString(36)}.${mac(secret, profile, runId, now)}`;
}

export function checkFormToken(
  secret: string,
  profile: string,
  runId: string,
  token: string,
  now = Date.now(),
): boolean {
  const m = /^([0-9a-z]+)\.([A-Za-z0-9_-]+)$/.exec(token);
  if (!m) return false;
  const issued = parseInt(m[1]!, 36);
  if (!(issued <= now + 60_000 && now - issued <= FORM_TOKEN_MS)) return false;
  const want = Buffer.from(mac(secret, profile, runId, issued));
  const given = Buffer.from(m[2]!);
  return given.length === want.length && timingSafeEqual(given, want);
}

const mac = (secret: string, profile: string, runId: string, issued: number) =>
  createHmac('sha256', secret).update(`rostersync-decision\n${profile}\n${runId}\n${issued}`).digest('base64url');

/**
 * The browser's own word on where a POST comes from: Sec-Fetch-Site (every current browser) and
 * Origin must not name another site. Tools without these headers (curl) pass; they carry no
 * ambient credentials to abuse. Origin is compared with Host, or with X-Forwarded-Host only when
 * `trustProxy` (daemon.http.trustProxy) says a proxy in front sets it: otherwise any client could
 * name the origin it claims in that header.
 */
export function sameOrigin(req: IncomingMessage, trustProxy = false): boolean {
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return false;
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  // Under `Referrer-Policy: no-referrer` a browser sends `Origin: null` even for its own forms; then its Sec-Fetch-Site decides.
  if (origin === 'null') return site === 'same-origin';
  const forwarded = trustProxy ? (req.headers['x-forwarded-host'] as string | undefined) : undefined;
  // A proxy chain may list several hosts: the first is the one the browser asked for.
  const host = forwarded?.split(',')[0]!.trim() ?? req.headers.host;
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}
