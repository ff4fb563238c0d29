import { EmulatorOptionError } from './options.js';
import type { EmulatorRuntime } from './runtime.js';
import { LIVE_OPTION_KEYS, type FaultOptions, type Reply } from './types.js';

export const CONTROL_PREFIX = '/_emulator/';

/**
 * Control endpoints shared by every emulator: no auth, never rate limited or faulted, never counted
 * in the log or stats, so a test can inspect and steer the emulator without disturbing what it measures.
 */
export function controlReply<O extends FaultOptions>(
  runtime: EmulatorRuntime<O>,
  reset: () => void,
  method: string,
  path: string,
  raw: string,
  /** The emulator's own control endpoints (by name after the prefix), tried before "unknown". */
  own?: (method: string, name: string, raw: string) => Reply | undefined,
): Reply {
  const name = path.slice(CONTROL_PREFIX.length).replace(/\/+$/, '');
  const allow = (m: string): Reply | undefined =>
    method === m
      ? undefined
      : { status: 405, body: { message: `Method "${method}" not allowed.` }, headers: { allow: m } };
  switch (name) {
    case 'log':
      return allow('GET') ?? { status: 200, body: { entries: runtime.log } };
    case 'stats':
      return allow('GET') ?? { status: 200, body: runtime.statsSnapshot() };
    case 'reset':
      if (method !== 'POST') return allow('POST')!;
      reset();
      return { status: 200, body: { message: 'Emulator reset' } };
    case 'options':
      return allow('PATCH') ?? patchOptions(runtime, raw);
    default:
      return own?.(method, name, raw) ?? { status: 404, body: { message: `Unknown control endpoint: ${path}` } };
  }
}

function patchOptions<O extends FaultOptions>(runtime: EmulatorRuntime<O>, raw: string): Reply {
  let body: unknown;
  try {
    body = JSON.parse(raw || '{}');
  } catch {
    return { status: 400, body: { message: 'Body must be a JSON object' } };
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return { status: 400, body: { message: 'Body must be a JSON object' } };
  const unknown = Object.keys(body).filter((k) => !(LIVE_OPTION_KEYS as readonly string[]).includes(k));
  if (unknown.length > 0) {
    return {
      status: 400,
      body: { message: `Unknown option(s): ${unknown.join(', ')}; allowed: ${LIVE_OPTION_KEYS.join(', ')}` },
    };
  }
  try {
    runtime.setOptions(body);
  } catch (err) {
    if (err instanceof EmulatorOptionError) return { status: 400, body: { message: err.message } };
    throw err;
  }
  return { status: 200, body: liveOptions(runtime.options) };
}

export function liveOptions(o: FaultOptions): Record<string, unknown> {
  return Object.fromEntries(LIVE_OPTION_KEYS.map((k) => [k, o[k]]));
}
