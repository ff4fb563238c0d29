import { describe, expect, it } from 'vitest';
import { nextTick, renderRunPage, renderStatusPage, wallClock, type ProfileStatus } from '../../../src/daemon/status-page.js';
import type { RunView } from '../../../src/store/run-record.js';

const HOSTILE = `<script>alert(1)</script><img src=x onerror=alert(2)>"'&`;

function run(over: Partial<RunView> = {}): RunView {
  return {
    runId: 'hr-20261122-030000-abc123', profile: 'hr', planId: 'p1', trigger: 'schedule', mode: 'full', status: 'succeeded',
    startedAt: '2026-11-22T02:00:00.000Z', finishedAt: '2026-11-22T02:00:42.000Z', planned: { createUser: 3, addMember: 2 }, totalOps: 5, warnings: 0,
    counts: { 'createUser.applied': 3, 'addMember.applied': 1, 'addMember.already-done': 1, done: 5 }, done: 5, failures: [], ...over,
  };
}

function profile(over: Partial<ProfileStatus> = {}): ProfileStatus {
  return { name: 'hr', source: 'csv', timezone: 'Europe/Berlin', scheduledHere: true, schedules: [{ mode: 'full', expression: '0 3 * * *', next: '2026-11-23T02:00:00.000Z' }], runs: [run()], ...over };
}

const NOW = new Date('2026-11-22T12:00:00.000Z');

describe('status page', () => {
  it('escapes every value that comes from the store, the directory or the API', () => {
    const hostileRun = run({ runId: `r${HOSTILE}`, planId: HOSTILE, trigger: HOSTILE, mode: HOSTILE, status: 'partial', error: HOSTILE, failures: [{ opKey: HOSTILE, reason: HOSTILE }], blocked: { code: HOSTILE, reason: HOSTILE } });
    const pages = [
      renderStatusPage([profile({ source: HOSTILE, schedules: [{ mode: HOSTILE, expression: HOSTILE, next: null }], runs: [hostileRun], current: { state: 'applying', runId: HOSTILE, done: 1, total: 2, startedAt: NOW.toISOString() } })], NOW),
      renderRunPage('hr', hostileRun),
    ];
    for (const html of pages) {
      expect(html).not.toMatch(/<script|<img|onerror=alert\(2\)>/i);
      expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    }
    // Links carry ids URL-encoded, not raw.
    expect(pages[0]).toContain(`/runs/hr/${encodeURIComponent(`r${HOSTILE}`)}`);
  });

  it("shows a finished run's counts and a running run's progress", () => {
    const html = renderStatusPage([profile({ current: { state: 'applying', runId: 'hr-run-2', done: 30, total: 120, startedAt: NOW.toISOString() } })], NOW);
    expect(html).toContain('<span class="progress">30 / 120 ops</span>');
    expect(html).toContain('style="width:25%"');
    const row = /<tr><td class="nowrap"><a href="\/runs\/hr\/hr-20261122-030000-abc123">[\s\S]*?<\/tr>/.exec(html)![0];
    const cells = [...row.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((m) => m[1]!.replace(/<[^>]+>/g, ''));
    expect(cells.slice(1)).toEqual(['succeeded', 'schedule / full', '2026-11-22 03:00', '42.0 s', '5', '4', '1', '0', '']);
  });

  it('shows a blocked plan waiting for --allow-deletes only while it is the newest finished run', () => {
    const blocked = run({ runId: 'hr-blocked', status: 'blocked', blocked: { code: 'TOO_MANY_DELETES', reason: '40 deletions over maxDeletes 25' } });
    const waiting = renderStatusPage([profile({ runs: [blocked, run()] })], NOW);
    expect(waiting).toContain('Blocked plan waiting for review');
    expect(waiting).toContain('--profile hr --allow-deletes N');
    expect(waiting).toContain('40 deletions over maxDeletes 25');
    expect(renderStatusPage([profile({ runs: [run({ runId: 'later' }), blocked] })], NOW)).not.toContain('Blocked plan');
  });

  it('shows the next tick in the profile time zone and says when another replica schedules', () => {
    const html = renderStatusPage([profile({ scheduledHere: false })], NOW);
    expect(html).toContain('next 2026-11-23 03:00 (Europe/Berlin), in 14.0 h');
    expect(html).toContain('ticks are fired by the scheduler replicas');
    expect(renderStatusPage([profile({ schedules: [] })], NOW)).toContain('no schedule');
  });

  it('formats wall clock times across a DST change', () => {
    expect(wallClock(new Date('2026-03-29T00:59:00Z'), 'Europe/Berlin')).toBe('2026-03-29 01:59');
    expect(wallClock(new Date('2026-03-29T01:00:05Z'), 'Europe/Berlin')).toBe('2026-03-29 03:00:05');
    expect(nextTick(null, 'UTC', NOW)).toBe('—');
  });

  it('lists a run in detail: ops by kind and outcome, failures', () => {
    const html = renderRunPage('hr', run({ status: 'partial', counts: { 'createUser.applied': 2, 'createUser.failed': 1, 'addMember.skipped-dependency': 2, done: 5 }, failures: [{ opKey: 'user.E1', reason: '400 email is invalid' }] }));
    expect(html).toMatch(/<tr><td>createUser<\/td><td class="n">3<\/td><td class="n">2<\/td><td class="n">0<\/td><td class="n">1<\/td><td class="n">0<\/td><\/tr>/);
    expect(html).toMatch(/<tr><td>addMember<\/td><td class="n">2<\/td><td class="n">0<\/td><td class="n">0<\/td><td class="n">0<\/td><td class="n">2<\/td><\/tr>/);
    expect(html).toContain('<code>user.E1</code></td><td class="reason">400 email is invalid');
  });
});
