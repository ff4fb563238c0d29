import type { GrafanaEmulator } from '../../../src/emulators/grafana/index.js';

export interface ApiResponse {
  status: number;
  headers: Headers;
  /** Parsed JSON, or undefined for an empty body. */
  body: any;
}

export interface CallOptions {
  /** Override the Authorization header; null sends none. @defaultValue Basic admin:admin */
  auth?: string | null;
  /** X-Grafana-Org-Id header. */
  orgId?: number | string;
  /** Send this text as the body instead of JSON-encoding `body`. */
  raw?: string;
}

export const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
export const bearer = (token: string) => `Bearer ${token}`;

/** Real HTTP with the global fetch. `path` starts after `/api/`. */
export function api(emu: GrafanaEmulator, defaults: CallOptions = {}) {
  const call = async (method: string, path: string, body?: unknown, given: CallOptions = {}): Promise<ApiResponse> => {
    const o = { ...defaults, ...given };
    const auth = o.auth === undefined ? basic(emu.options.adminUser, emu.options.adminPassword) : o.auth;
    const headers: Record<string, string> = { accept: 'application/json' };
    if (auth !== null) headers.authorization = auth;
    if (o.orgId !== undefined) headers['x-grafana-org-id'] = String(o.orgId);
    const payload = o.raw ?? (body === undefined ? undefined : JSON.stringify(body));
    if (payload !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${emu.url}/api/${path}`, { method, headers, body: payload });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
  };
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

/** The service-account token of the default options (org 1, Admin). */
export const TOKEN = 'glsa_emulator_token';

export function manualClock(start = Date.UTC(2024, 0, 1)) {
  let t = start;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
}
