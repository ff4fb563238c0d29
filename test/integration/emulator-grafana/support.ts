import type { GrafanaEmulator } from '../../../src/emulators/grafana/index.js';
import { callApi, type ApiResponse } from '../../support/target-harness.js';

export type { ApiResponse };

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
  const call = (method: string, path: string, body?: unknown, given: CallOptions = {}): Promise<ApiResponse> => {
    const o = { ...defaults, ...given };
    return callApi(`${emu.url}/api/${path}`, method, body, {
      auth: o.auth === undefined ? basic(emu.options.adminUser, emu.options.adminPassword) : o.auth,
      headers: {
        accept: 'application/json',
        ...(o.orgId !== undefined ? { 'x-grafana-org-id': String(o.orgId) } : {}),
      },
      ...(o.raw !== undefined ? { raw: o.raw } : {}),
    });
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
