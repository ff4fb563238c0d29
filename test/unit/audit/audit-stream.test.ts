import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { toAuditEvent, type AuditEvent } from '../../../src/audit/audit-event.js';
import { AuditStream } from '../../../src/audit/audit-stream.js';
import { silentLogger } from '../../../src/log/logger.js';
import { Outbox } from '../../../src/notify/outbox.js';
import { scrubberFor } from '../../../src/log/scrub-secrets.js';
import type { Config } from '../../../src/config/schema.js';

const ctx = { runId: 'hr-20261206-000000-abcdef', profile: 'hr', target: { name: 'default', kind: 'grafana' } };
const event = (i: number): AuditEvent =>
  toAuditEvent(
    {
      at: '2026-12-06T00:00:00.000Z',
      opKey: `k${i}`,
      action: 'membership.add',
      person: `p${i}@example.com`,
      object: { type: 'team', name: 'Analysts' },
      after: 'member',
      reason: 'member of group Analysts',
      outcome: 'applied',
    },
    ctx,
    i,
  );

describe('the audit file', () => {
  it('rolls over by size, keeps `keep` old files, and loses no event that is still kept', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'audit-file-'));
    // Lines of events 10 and on are 4 bytes longer: room for four lines of any of them.
    const line = JSON.stringify(event(10)).length + 1;
    const stream = new AuditStream({
      config: { stdout: false, file: { path: 'a/audit.jsonl', maxBytes: line * 4, keep: 2 } },
      baseDir: dir,
      out: 'log',
      log: silentLogger,
      outbox: new Outbox(silentLogger),
    });
    for (let i = 0; i < 14; i += 2) await stream.emit([event(i), event(i + 1)]);
    expect(readdirSync(join(dir, 'a')).sort()).toEqual(['audit.jsonl', 'audit.jsonl.1', 'audit.jsonl.2']);
    const ids = ['audit.jsonl.2', 'audit.jsonl.1', 'audit.jsonl'].flatMap((f) =>
      readFileSync(join(dir, 'a', f), 'utf8')
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as AuditEvent).id),
    );
    // 14 events, 4 per file (two writes), the oldest file dropped: the newest 10 remain, in order.
    expect(ids).toEqual([...Array(10).keys()].map((i) => `${ctx.runId}/${i + 4}`));
    for (const f of readdirSync(join(dir, 'a')))
      expect(readFileSync(join(dir, 'a', f)).length).toBeLessThanOrEqual(line * 4);
  });
});

describe('the secrets scrubber', () => {
  it('blanks each secret, its Basic credential form and URL passwords', () => {
    const config = {
      notify: [{ url: 'https://hooks.example.com/T0/B0/xyz' }],
      target: { kind: 'grafana', admin: { user: 'admin', password: 'pa55word-long' } },
    } as unknown as Config;
    const scrub = scrubberFor(config);
    const basic = Buffer.from('admin:pa55word-long').toString('base64');
    expect(
      scrub(
        `Authorization: Basic ${basic}; password pa55word-long; https://u:pw@db.example.com/x; https://hooks.example.com/T0/B0/xyz`,
      ),
    ).toBe('Authorization: Basic [REDACTED]; password [REDACTED]; https://u:[REDACTED]@db.example.com/x; [REDACTED]');
  });
});
