import type { Directory } from './connection.js';
import { escapeFilterValue, guidToString } from './presets.js';

/**
 * The high-water mark an incremental read starts from: entries with `marker >= value` are re-read.
 * AD USNs belong to one DC (and one database restore, the invocationId): a cursor from another is useless.
 */
export type Cursor =
  | { marker: 'modifyTimestamp'; value: string; after?: boolean }
  | { marker: 'uSNChanged'; value: string; dc?: string; invocationId?: string };

/** `after`: entries changed strictly after `value` (every change at `value` was already read); else at or after it. */
export function isAfter(c: Cursor): boolean {
  return c.marker === 'modifyTimestamp' && c.after === true;
}

export function formatCursor(c: Cursor): string {
  return JSON.stringify(c);
}

export function parseCursor(text: string | undefined): Cursor | undefined {
  if (!text) return undefined;
  try {
    const c = JSON.parse(text) as Partial<Cursor>;
    if (c.marker === 'modifyTimestamp' && typeof c.value === 'string' && c.value !== '') return c as Cursor;
    if (c.marker === 'uSNChanged' && typeof c.value === 'string' && /^\d+$/.test(c.value)) return c as Cursor;
  } catch {
    // not ours (or from an older version): a full read replaces it
  }
  return undefined;
}

/** Entries changed since the cursor: `(m>=v)`, or strictly after v as `(&(m>=v)(!(m=v)))`. Values escaped like any other. */
export function changedSinceFilter(cursor: Cursor): string {
  const v = escapeFilterValue(cursor.value);
  const atOrAfter = `(${cursor.marker}>=${v})`;
  return isAfter(cursor) ? `(&${atOrAfter}(!(${cursor.marker}=${v})))` : atOrAfter;
}

/** The earlier of two cursors of the same marker: reading from it covers both. */
export function earlier(a: Cursor, b: Cursor): Cursor {
  const byValue = compareMarker(a.marker, a.value, b.value);
  if (byValue !== 0) return byValue < 0 ? a : b;
  return isAfter(a) ? b : a;
}

export function compareMarker(marker: Cursor['marker'], a: string, b: string): number {
  if (marker === 'uSNChanged') {
    const d = BigInt(a) - BigInt(b);
    return d > 0n ? 1 : d < 0n ? -1 : 0;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

export function newestMarker(marker: Cursor['marker'], values: (string | undefined)[]): string | undefined {
  let best: string | undefined;
  for (const v of values) {
    if (v === undefined || (marker === 'uSNChanged' && !/^\d+$/.test(v))) continue;
    if (best === undefined || compareMarker(marker, v, best) > 0) best = v;
  }
  return best;
}

const GENERALIZED = /^(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(?:[.,]\d+)?Z$/;

/** `20261122172110Z` -> epoch ms; undefined for forms we do not shift (offsets, no seconds). */
export function parseGeneralizedTime(v: string): number | undefined {
  const m = GENERALIZED.exec(v);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number) as number[];
  return Date.UTC(y!, mo! - 1, d!, h!, mi!, s!);
}

export function formatGeneralizedTime(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/[-:T]/g, '')
    .replace(/\.\d+Z$/, 'Z');
}

export interface ReadClock {
  /** This host's clock when the read began (epoch ms). */
  startedMs: number;
  durationSeconds: number;
  /** How far the server's clock may be from this host's. */
  maxSkewSeconds: number;
}

/**
 * OpenLDAP: modifyTimestamp has one-second resolution and comes from the server's clock. When the
 * newest change seen is older than the read's start (allowing for clock skew and the truncated
 * second), no change made during the read can carry it or an older one: the next read asks for
 * changes strictly after it. Otherwise an entry changed during the read, after its page went by,
 * may carry an older timestamp than the newest seen, so the cursor moves back by the read's
 * duration plus the skew (never before `floor`) and the next read re-reads that window.
 */
export function timestampCursor(seen: (string | undefined)[], clock: ReadClock, floor?: Cursor): Cursor | undefined {
  const newest = newestMarker('modifyTimestamp', seen);
  if (newest === undefined) return floor;
  const ms = parseGeneralizedTime(newest);
  if (ms !== undefined && ms + 1000 + clock.maxSkewSeconds * 1000 < clock.startedMs)
    return { marker: 'modifyTimestamp', value: newest, after: true };
  const back =
    ms === undefined
      ? newest
      : formatGeneralizedTime(ms - (Math.ceil(clock.durationSeconds) + clock.maxSkewSeconds + 1) * 1000);
  const cursor: Cursor = { marker: 'modifyTimestamp', value: back };
  return floor && earlier(floor, cursor) === cursor ? floor : cursor;
}

export interface DcState {
  /** rootDSE highestCommittedUSN before the read: every change after it has a bigger uSNChanged. */
  usn?: string;
  dc?: string;
  invocationId?: string;
}

/** AD: which DC answers, its database identity, and its USN before anything is read. */
export async function readDcState(dir: Directory): Promise<DcState> {
  const [root] = await dir.search('', {
    scope: 'base',
    filter: '(objectClass=*)',
    attributes: ['highestCommittedUSN', 'dsServiceName', 'dnsHostName'],
  });
  const one = (k: string) => {
    const v = root ? Object.entries(root).find(([name]) => name.toLowerCase() === k.toLowerCase())?.[1] : undefined;
    const first = Array.isArray(v) ? v[0] : v;
    return first === undefined || first === '' ? undefined : String(first);
  };
  const state: DcState = {};
  const usn = one('highestCommittedUSN');
  if (usn && /^\d+$/.test(usn)) state.usn = usn;
  const dc = one('dsServiceName') ?? one('dnsHostName');
  if (dc) state.dc = dc;
  const service = one('dsServiceName');
  if (service) {
    // The NTDS Settings object holds invocationId, which changes when the DC's database is restored.
    const [settings] = await dir
      .search(service, {
        scope: 'base',
        filter: '(objectClass=*)',
        attributes: ['invocationId'],
        binary: ['invocationId'],
      })
      .catch(() => []);
    const raw = settings
      ? Object.entries(settings).find(([name]) => name.toLowerCase() === 'invocationid')?.[1]
      : undefined;
    const bytes = Array.isArray(raw) ? raw[0] : raw;
    if (Buffer.isBuffer(bytes) && bytes.length === 16) state.invocationId = guidToString(bytes);
  }
  return state;
}

/** Why an AD cursor cannot be used against this DC, or undefined when it can. */
export function dcMismatch(cursor: Cursor, dc: DcState | undefined): string | undefined {
  if (cursor.marker !== 'uSNChanged' || !dc) return undefined;
  if (cursor.dc && dc.dc && cursor.dc.toLowerCase() !== dc.dc.toLowerCase())
    return `the cursor is from DC ${cursor.dc}, this is ${dc.dc}`;
  if (cursor.invocationId && dc.invocationId && cursor.invocationId !== dc.invocationId)
    return "the DC's invocationId changed (database restored)";
  if (dc.usn && BigInt(cursor.value) > BigInt(dc.usn) + 1n)
    return "the cursor is ahead of the DC's highestCommittedUSN";
  return undefined;
}

/** AD: the next read starts just after the USN the DC had committed before this read began. */
export function usnCursor(dc: DcState, seen: (string | undefined)[], floor?: string): Cursor | undefined {
  const from = dc.usn !== undefined ? (BigInt(dc.usn) + 1n).toString() : (newestMarker('uSNChanged', seen) ?? floor);
  if (from === undefined) return undefined;
  return {
    marker: 'uSNChanged',
    value: from,
    ...(dc.dc ? { dc: dc.dc } : {}),
    ...(dc.invocationId ? { invocationId: dc.invocationId } : {}),
  };
}
