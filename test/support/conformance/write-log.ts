import type { RequestLogEntry } from '../../../src/emulators/index.js';

/** What the emulator's request log says of one run's writes. */
export interface WriteCount {
  /** Write requests the server took in: a 429 is the server's pacing and is left out. */
  sent: number;
  /** Writes that changed state (applied-then-5xx included). */
  applied: number;
  /** Applied, then answered 5xx: the one kind of applied write a client must send again. */
  appliedThenError: number;
  /** "Already there" / "already gone" answers (409, 404): a write that had been made before. */
  idempotentAnswers: number;
  /** Keyed writes sent again after a 2xx answer to the same key, in log order. */
  repeated: string[];
}

/** Reads one run's slice of a request log; `writeKey` names the writes whose path alone identifies the change. */
export function countWrites(
  log: readonly RequestLogEntry[],
  writeKey: (r: RequestLogEntry) => string | undefined,
): WriteCount {
  const writes = log.filter((r) => r.method !== 'GET' && r.fault !== 'rate-limited');
  const done = new Set<string>();
  const repeated: string[] = [];
  for (const r of writes) {
    const key = writeKey(r);
    if (key === undefined) continue;
    if (done.has(key)) repeated.push(`${key} -> ${r.status}`);
    if (r.status >= 200 && r.status < 300) done.add(key);
  }
  return {
    sent: writes.length,
    applied: writes.filter((r) => r.applied).length,
    appliedThenError: writes.filter((r) => r.fault === 'applied-then-error').length,
    idempotentAnswers: writes.filter((r) => r.status === 409 || r.status === 404).length,
    repeated,
  };
}
