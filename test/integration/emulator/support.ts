import type { ChartioEmulator } from '../../../src/emulators/chartio/index.js';
import { callApi, type ApiResponse } from '../../support/target-harness.js';

export type { ApiResponse };

export interface CallOptions {
  /** Override the Authorization header; null sends none. */
  auth?: string | null;
  /** Send this text as the body instead of JSON-encoding `body`. */
  raw?: string;
  /** Org slug in the path. @defaultValue the emulator's org */
  org?: string;
}

export const basic = (key: string, secret: string) => `Basic ${Buffer.from(`${key}:${secret}`).toString('base64')}`;

/** Real HTTP with the global fetch. `path` is relative to `/v1/{org}/` ('' is the org root). */
export function api(emu: ChartioEmulator) {
  const call = (method: string, path: string, body?: unknown, o: CallOptions = {}): Promise<ApiResponse> =>
    callApi(`${emu.url}/v1/${o.org ?? emu.options.org}${path ? `/${path}` : ''}`, method, body, {
      auth: o.auth === undefined ? basic(emu.options.apiKey, emu.options.apiSecret) : o.auth,
      headers: { accept: 'application/json' },
      ...(o.raw !== undefined ? { raw: o.raw } : {}),
    });
  return {
    call,
    get: (path: string, o?: CallOptions) => call('GET', path, undefined, o),
    post: (path: string, body?: unknown, o?: CallOptions) => call('POST', path, body, o),
    patch: (path: string, body?: unknown, o?: CallOptions) => call('PATCH', path, body, o),
    put: (path: string, body?: unknown, o?: CallOptions) => call('PUT', path, body, o),
    del: (path: string, o?: CallOptions) => call('DELETE', path, undefined, o),
  };
}

export type Api = ReturnType<typeof api>;

/** Team id by name from the emulator's dump. */
export function teamId(emu: ChartioEmulator, name: string): number {
  const team = emu.dump().teams.find((t) => t.name === name);
  if (!team) throw new Error(`no team ${name}`);
  return team.id;
}

export function userId(emu: ChartioEmulator, email: string): number {
  const user = emu.dump().users.find((u) => u.email.toLowerCase() === email.toLowerCase());
  if (!user) throw new Error(`no user ${email}`);
  return user.id;
}

/** A manual clock for the rate-limit window. */
export function manualClock(start = Date.UTC(2024, 0, 1)) {
  let t = start;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
}
