import { SourceReadError } from '../../errors/index.js';

export type Verdict = { retry: false; error: Error } | { retry: true; waitMs?: number; status?: number };

/** What batching needs of the Graph client (kept here so the two modules do not import each other). */
export interface BatchHttp {
  readonly c: { maxRetries: number; concurrency: number };
  postBatch(
    requests: { id: string; method: 'GET'; url: string }[],
  ): Promise<{ responses: { id: string; status: number; headers?: Record<string, string>; body?: unknown }[] }>;
  verdict(err: unknown, path: string): Promise<Verdict>;
  backoff(attempt: number): number;
  pause(ms: number): void;
}

/** Graph's limit of requests in one JSON batch. */
export const BATCH_SIZE = 20;

export interface BatchOptions {
  /** Statuses handed back to the caller (body undefined) instead of failing the read, e.g. 404 for a group id. */
  accept?: number[];
}

export interface BatchResult<T> {
  status: number;
  body: T | undefined;
  error?: { code?: string; message?: string };
}

interface InnerResponse {
  id: string;
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

/**
 * GETs as JSON $batch requests: at most 20 per batch, at most `concurrency` batches in flight.
 * Answers are matched by id (Graph may answer in any order). An inner 429/503/504 is re-sent in a
 * later batch after the longest Retry-After among them, which holds every batch of the read, not
 * only this one (Graph throttles per app and tenant); any other inner failure is sorted by the
 * same rules as a plain request (403 names the permission, 400/404 fail unless accepted).
 */
export async function batchGet<T>(http: BatchHttp, paths: string[], o: BatchOptions = {}): Promise<BatchResult<T>[]> {
  const out: BatchResult<T>[] = new Array<BatchResult<T>>(paths.length);
  const chunks: number[][] = [];
  for (let i = 0; i < paths.length; i += BATCH_SIZE) chunks.push(paths.slice(i, i + BATCH_SIZE).map((_, k) => i + k));

  const runChunk = async (indices: number[]) => {
    let pending = indices;
    for (let attempt = 0; pending.length > 0; attempt++) {
      const res = await http.postBatch(
        pending.map((i) => ({ id: String(i), method: 'GET' as const, url: relativeUrl(paths[i]!) })),
      );
      const byId = new Map((res.responses ?? []).map((r) => [r.id, r]));
      const again: number[] = [];
      let waitMs = 0;
      let throttled = false;
      for (const i of pending) {
        const r = byId.get(String(i));
        if (!r)
          throw new SourceReadError(`entra: a $batch answer lacks request ${shortPath(paths[i]!)}`, 'entra', {
            code: 'SOURCE_INCOMPLETE',
          });
        if (r.status >= 200 && r.status < 300) {
          out[i] = { status: r.status, body: r.body as T };
          continue;
        }
        const error = (r.body as { error?: { code?: string; message?: string } } | undefined)?.error;
        if (o.accept?.includes(r.status)) {
          out[i] = { status: r.status, body: undefined, ...(error ? { error } : {}) };
          continue;
        }
        const v = await http.verdict(innerError(r), shortPath(paths[i]!));
        if (!v.retry) throw v.error;
        again.push(i);
        throttled ||= v.waitMs !== undefined;
        waitMs = Math.max(waitMs, v.waitMs ?? http.backoff(attempt));
      }
      if (again.length > 0 && attempt >= http.c.maxRetries) {
        throw new SourceReadError(
          `entra: ${again.length} requests in a $batch still failed after ${attempt + 1} tries (first: ${shortPath(paths[again[0]!]!)})`,
          'entra',
          { code: 'SOURCE_READ_FAILED' },
        );
      }
      // A Retry-After holds the whole read (the next postBatch waits at the gate); a plain backoff only this batch.
      if (again.length > 0 && throttled) http.pause(waitMs);
      else if (again.length > 0) await new Promise((r) => setTimeout(r, waitMs));
      pending = again;
    }
  };

  await pool(chunks, http.c.concurrency, runChunk);
  return out;
}

/** Runs `fn` over `items` with at most `limit` at once; after the first failure no new item starts. */
export async function pool<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      const item = items[next++]!;
      try {
        await fn(item);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}

/** An inner response as the error shape a plain request's failure has (status, code, request id, headers). */
function innerError(r: InnerResponse): Error {
  const e = (r.body as { error?: { code?: string; message?: string; innerError?: Record<string, string> } } | undefined)
    ?.error;
  return Object.assign(new Error(e?.message ?? `status ${r.status}`), {
    statusCode: r.status,
    code: e?.code,
    requestId: e?.innerError?.['request-id'],
    headers: new Headers(r.headers ?? {}),
  });
}

/** A $batch request's url is relative to the version: nextLinks are absolute, so cut them down. */
export function relativeUrl(pathOrUrl: string): string {
  if (!/^https?:/i.test(pathOrUrl)) return pathOrUrl;
  const u = new URL(pathOrUrl);
  return `${u.pathname.replace(/^\/(v1\.0|beta)(?=\/)/, '')}${u.search}`;
}

/** A Graph URL or path without host and version, for messages. */
export function shortPath(u: string): string {
  try {
    const url = new URL(u, 'https://graph');
    return url.pathname.replace(/^\/(v1\.0|beta)(?=\/)/, '');
  } catch {
    return u.slice(0, 80);
  }
}
