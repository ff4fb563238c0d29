import type { Redis } from 'ioredis';
import type { DecisionEntry, StoredAuditEntry } from '../audit/audit-event.js';
import type { ProfileKeys } from './keys.js';

/** Entries read per round trip while a run's audit is scanned. */
const SCAN_CHUNK = 1000;

export interface AuditFilter {
  /** The person's email (case does not matter). */
  person?: string;
  /** An action (`role.change`) or its family (`membership`, `user`, `team`, `run`). */
  action?: string;
}

export interface AuditPage {
  entries: { seq: number; entry: StoredAuditEntry }[];
  /** Entries that match the filter, in the whole run. */
  matching: number;
  /** Entries of the run, filtered or not. */
  total: number;
}

/** Claims the next unsent range of a run's audit: [sent, length). Each range goes to one sender. */
const CLAIM = `
local len = redis.call('LLEN', KEYS[1])
local sent = tonumber(redis.call('GET', KEYS[2]) or '0')
if len > sent then redis.call('SET', KEYS[2], len) end
return {sent, len}
`;

type ClaimRedis = Redis & { rostersyncClaimAudit(numKeys: number, ...args: string[]): Promise<[number, number]> };

export function matchesAudit(e: StoredAuditEntry, f: AuditFilter): boolean {
  if (f.person !== undefined && ('person' in e ? e.person : undefined)?.toLowerCase() !== f.person.toLowerCase())
    return false;
  if (f.action !== undefined && e.action !== f.action && !e.action.startsWith(`${f.action}.`)) return false;
  return true;
}

/**
 * A run's audit: its changes, one entry per person and object (appended by OutcomeStore with each
 * op's first outcome), and decisions on it. Trimmed with the run (its keys are the run's).
 */
export class AuditLog {
  private readonly redis: ClaimRedis;

  constructor(
    redis: Redis,
    private readonly keys: ProfileKeys,
  ) {
    if (!('rostersyncClaimAudit' in redis)) redis.defineCommand('rostersyncClaimAudit', { lua: CLAIM });
    this.redis = redis as ClaimRedis;
  }

  async appendDecision(runId: string, entry: DecisionEntry): Promise<void> {
    await this.redis.rpush(this.keys.run(runId).audit, JSON.stringify(entry));
  }

  /** The entries matching `filter`, `limit` from the `offset`-th match on, in the order they were recorded. */
  async page(runId: string, filter: AuditFilter = {}, offset = 0, limit = 50): Promise<AuditPage> {
    const entries: AuditPage['entries'] = [];
    let matching = 0;
    const total = await this.scan(runId, (entry, seq) => {
      if (!matchesAudit(entry, filter)) return;
      if (matching >= offset && entries.length < limit) entries.push({ seq, entry });
      matching += 1;
    });
    return { entries, matching, total };
  }

  length(runId: string): Promise<number> {
    return this.redis.llen(this.keys.run(runId).audit);
  }

  /** Every entry of the run in order (callers that need them all: a person's history, the stream). */
  async range(runId: string, from: number, to: number): Promise<StoredAuditEntry[]> {
    if (to <= from) return [];
    const out: StoredAuditEntry[] = [];
    for (let i = from; i < to; i += SCAN_CHUNK) {
      const chunk = await this.redis.lrange(this.keys.run(runId).audit, i, Math.min(i + SCAN_CHUNK, to) - 1);
      for (const text of chunk) out.push(JSON.parse(text) as StoredAuditEntry);
    }
    return out;
  }

  /** The entries not yet sent to the audit stream, claimed atomically: two senders never send one twice. */
  async claimUnsent(runId: string): Promise<{ from: number; entries: StoredAuditEntry[] }> {
    const r = this.keys.run(runId);
    const [from, to] = await this.redis.rostersyncClaimAudit(2, r.audit, r.auditSent);
    return { from, entries: await this.range(runId, from, to) };
  }

  private async scan(runId: string, visit: (e: StoredAuditEntry, seq: number) => void): Promise<number> {
    const key = this.keys.run(runId).audit;
    let seq = 0;
    for (;;) {
      const chunk = await this.redis.lrange(key, seq, seq + SCAN_CHUNK - 1);
      for (const text of chunk) visit(JSON.parse(text) as StoredAuditEntry, seq++);
      if (chunk.length < SCAN_CHUNK) return seq;
    }
  }
}
