import { describe, expect, it } from 'vitest';
import {
  nextTick,
  renderRunPage,
  renderStatusPage,
  wallClock,
  type ProfileStatus,
} from '../../../src/daemon/status-page.js';
import type { RunView } from '../../../src/store/run-record.js';
import type { Op, Plan } from '../../../src/model/index.js';
import { checkFormToken, FORM_TOKEN_MS, formToken } from '../../../src/daemon/csrf.js';

const HOSTILE = `<script>alert(1)</script><img src=x onerror=alert(2)>"'&`;

function run(over: Partial<RunView> = {}): RunView {
  return {
    runId: 'hr-20261122-030000-abc123',
    profile: 'hr',
    planId: 'p1',
    trigger: 'schedule',
    mode: 'full',
    status: 'succeeded',
    startedAt: '2026-11-22T02:00:00.000Z',
    finishedAt: '2026-11-22T02:00:42.000Z',
    planned: { createUser: 3, addMember: 2 },
    totalOps: 5,
    warnings: 0,
    counts: { 'createUser.applied': 3, 'addMember.applied': 1, 'addMember.already-done': 1, done: 5 },
    done: 5,
    failures: [],
    ...over,
  };
}

function profile(over: Partial<ProfileStatus> = {}): ProfileStatus {
  return {
    name: 'hr',
    source: 'csv',
    timezone: 'Europe/Berlin',
    scheduledHere: true,
    schedules: [{ mode: 'full', expression: '0 3 * * *', next: '2026-11-23T02:00:00.000Z' }],
    runs: [run()],
    ...over,
  };
}

const NOW = new Date('2026-11-22T12:00:00.000Z');

describe('status page', () => {
  it('escapes every value that comes from the store, the directory or the API', () => {
    const hostileRun = run({
      runId: `r${HOSTILE}`,
      planId: HOSTILE,
      trigger: HOSTILE,
      mode: HOSTILE,
      status: 'partial',
      error: HOSTILE,
      failures: [{ opKey: HOSTILE, reason: HOSTILE }],
      blocked: { code: HOSTILE, reason: HOSTILE },
    });
    const pages = [
      renderStatusPage(
        [
          profile({
            source: HOSTILE,
            schedules: [{ mode: HOSTILE, expression: HOSTILE, next: null }],
            runs: [hostileRun],
            current: { state: 'applying', runId: HOSTILE, done: 1, total: 2, startedAt: NOW.toISOString() },
          }),
        ],
        NOW,
      ),
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
    const html = renderStatusPage(
      [
        profile({
          current: { state: 'applying', runId: 'hr-run-2', done: 30, total: 120, startedAt: NOW.toISOString() },
        }),
      ],
      NOW,
    );
    expect(html).toContain('<span class="progress">30 / 120 ops</span>');
    expect(html).toContain('style="width:25%"');
    const row = /<tr><td class="nowrap"><a href="\/runs\/hr\/hr-20261122-030000-abc123">[\s\S]*?<\/tr>/.exec(html)![0];
    const cells = [...row.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((m) => m[1]!.replace(/<[^>]+>/g, ''));
    expect(cells.slice(1)).toEqual([
      'succeeded',
      'schedule / full',
      '2026-11-22 03:00',
      '42.0 s',
      '5',
      '4',
      '1',
      '0',
      '',
    ]);
  });

  it('shows a blocked plan waiting for --allow-deletes only while it is the newest finished run', () => {
    const blocked = run({
      runId: 'hr-blocked',
      status: 'blocked',
      blocked: { code: 'TOO_MANY_DELETES', reason: '40 deletions over maxDeletes 25' },
    });
    const waiting = renderStatusPage([profile({ runs: [blocked, run()] })], NOW);
    expect(waiting).toContain('Blocked plan waiting for review');
    expect(waiting).toContain('--profile hr --allow-deletes N');
    expect(waiting).toContain('40 deletions over maxDeletes 25');
    expect(renderStatusPage([profile({ runs: [run({ runId: 'later' }), blocked] })], NOW)).not.toContain(
      'Blocked plan',
    );
  });

  it('puts a profile whose source refuses the credentials on one line at the top, escaped, with when', () => {
    const refused = {
      line: `source credentials refused: ldap ldaps://dc1: bind failed ${HOSTILE}; fix the environment variable $LDAP_BIND_PASSWORD`,
      since: '2026-11-22T09:00:00.000Z',
      lastAt: '2026-11-22T11:45:00.000Z',
    };
    const html = renderStatusPage([profile(), profile({ name: 'sales', refused })], NOW);

    expect(html.match(/class="refused-source"/g)).toHaveLength(1);
    expect(html.indexOf('id="refused-sales"')).toBeLessThan(html.indexOf('<section id="profile-hr"'));
    expect(html).toContain('<b>sales</b>: source credentials refused: ldap ldaps://dc1: bind failed &lt;script&gt;');
    expect(html).not.toContain(HOSTILE);
    expect(html).toMatch(/\(last tick 2026-11-22 12:45(:00)?[^)]*, since 2026-11-22 10:00/);
    expect(renderStatusPage([profile()], NOW)).not.toContain('refused-source');
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
    const html = renderRunPage(
      'hr',
      run({
        status: 'partial',
        counts: { 'createUser.applied': 2, 'createUser.failed': 1, 'addMember.skipped-dependency': 2, done: 5 },
        failures: [{ opKey: 'user.E1', reason: '400 email is invalid' }],
      }),
    );
    expect(html).toMatch(
      /<tr><td>createUser<\/td><td class="n">3<\/td><td class="n">2<\/td><td class="n">0<\/td><td class="n">1<\/td><td class="n">0<\/td><\/tr>/,
    );
    expect(html).toMatch(
      /<tr><td>addMember<\/td><td class="n">2<\/td><td class="n">0<\/td><td class="n">0<\/td><td class="n">0<\/td><td class="n">2<\/td><\/tr>/,
    );
    expect(html).toContain('<h3><span class="count">1</span>400 email is invalid</h3>');
    expect(html).toContain('title="user.E1">user.E1</span>'); // no stored plan: the key is all there is
  });

  it('says failures in words from the stored plan, grouped by reason with a count, dependants named after what they waited for', () => {
    const team = { name: 'Sales', id: 't1' };
    const ops: Op[] = [
      {
        kind: 'addMember',
        key: 'add.a.sales',
        reason: 'mapped',
        dependsOn: [],
        user: { email: 'ana.silva@example.com' },
        team,
      },
      {
        kind: 'addMember',
        key: 'add.b.sales',
        reason: 'mapped',
        dependsOn: [],
        user: { email: 'bo@example.com' },
        team,
      },
      {
        kind: 'removeMember',
        key: 'rm.c.sales',
        reason: 'left the group',
        dependsOn: ['add.a.sales'],
        user: { email: 'cy@example.com', id: 'u3' },
        team,
      },
    ];
    const plan = {
      id: 'p1',
      createdAt: NOW.toISOString(),
      phases: [ops],
      counts: {},
      warnings: [],
      estimate: {},
      stats: {},
    } as unknown as Plan;
    const reason = '400 Team names are limited to 255 characters';
    const failures = [
      { opKey: 'add.a.sales', reason },
      { opKey: 'add.b.sales', reason },
      { opKey: 'rm.c.sales', reason: 'depends on add.a.sales, which did not succeed' },
    ];
    const html = renderRunPage(
      'hr',
      run({
        status: 'partial',
        counts: { 'addMember.failed': 2, 'removeMember.skipped-dependency': 1, done: 3 },
        failures,
      }),
      { plan },
    );
    expect(html).toContain(`<span class="count">2</span>${reason}</h3>`);
    expect(html).toContain('add ana.silva@example.com to &quot;Sales&quot;</span>');
    expect(html).toContain('<span class="count">1</span>skipped: an op it depends on did not succeed</h3>');
    expect(html).toContain(
      'remove cy@example.com from &quot;Sales&quot; (after: add ana.silva@example.com to &quot;Sales&quot;)',
    );
    expect(html).not.toContain('add.a.sales<');
  });

  it('says failures in words without the plan when each failure carries its op in words (a finished run)', () => {
    const reason = '400 Team names are limited to 255 characters';
    const html = renderRunPage(
      'hr',
      run({
        status: 'partial',
        counts: { 'addMember.failed': 1, 'removeMember.skipped-dependency': 1, done: 2 },
        failures: [
          { opKey: 'add.a.sales', what: 'add ana.silva@example.com to "Sales"', reason },
          {
            opKey: 'rm.c.sales',
            what: 'remove cy@example.com from "Sales"',
            reason: 'depends on add.a.sales, which did not succeed',
          },
        ],
      }),
    );
    expect(html).toContain('add ana.silva@example.com to &quot;Sales&quot;</span>');
    expect(html).toContain(
      'remove cy@example.com from &quot;Sales&quot; (after: add ana.silva@example.com to &quot;Sales&quot;)',
    );
    expect(html).not.toContain('add.a.sales<');
  });

  it('draws the last runs as inline SVG: a bar per run with its numbers on hover, a blocked run marked', () => {
    const runs = [
      run({ runId: 'r3', status: 'blocked', counts: {} }),
      run({ runId: 'r2', status: 'partial', counts: { 'addMember.applied': 4, 'addMember.failed': 2 } }),
      run({ runId: 'r1' }),
    ];
    const html = renderStatusPage([profile({ runs })], NOW);
    const svg = /<svg class="history"[^]*?<\/svg>/.exec(html)![0];
    expect(svg.match(/<g class="run">/g)).toHaveLength(3);
    expect(svg).toContain('<title>r2: partial, 4 ops done, 2 failed, took 42.0 s</title>');
    expect(svg).toContain('class="blocked"');
    expect(svg.indexOf('r1:')).toBeLessThan(svg.indexOf('r3:')); // oldest left
    expect(html).not.toContain('<script');
  });

  it('shows a 2-change run beside a 531-change one, and clips a long first failure to two lines with the whole on hover', () => {
    const long = `PUT /api/teams/48/members -> 404: ${'user not found; '.repeat(20)}`;
    const runs = [
      run({ runId: 'small', counts: { 'addMember.applied': 2 } }),
      run({
        runId: 'big',
        status: 'partial',
        counts: { 'addMember.applied': 531 },
        failures: [{ opKey: 'k', reason: long }],
      }),
    ];
    const html = renderStatusPage([profile({ runs })], NOW);
    const svg = /<svg class="history"[^]*?<\/svg>/.exec(html)![0];
    const heights = [...svg.matchAll(/<rect class="applied" [^>]*height="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(heights).toHaveLength(2);
    const [big, small] = heights as [number, number]; // oldest (big) left
    expect(small).toBeGreaterThanOrEqual(5);
    expect(big).toBeGreaterThan(small * 10);
    // The whole reason on hover, escaped.
    expect(html).toContain(
      `<td class="reason"><div class="first-failure" title="PUT /api/teams/48/members -&gt; 404: ${'user not found; '.repeat(20)}">`,
    );
    // At most two lines on screen; it still wraps anywhere, so the table never widens the page.
    expect(html).toContain(
      'td.reason .first-failure{display:-webkit-box;-webkit-box-orient:vertical;-webkit-line-clamp:2;overflow:hidden}',
    );
  });

  it('offers Approve / Reject only with a form token, posting to the run; a decided run says who and when', () => {
    const pending = run({
      runId: 'hr-b',
      status: 'blocked',
      blocked: { code: 'TOO_MANY_DELETES', reason: 'x' },
      approval: { state: 'pending', expiresAt: '2026-11-23T12:00:00.000Z' },
    });
    const withToken = renderRunPage('hr', pending, { csrf: 'tok.abc' });
    expect(withToken).toContain(
      '<form class="decide" method="post" action="/runs/hr/hr-b/decision"><input type="hidden" name="csrf" value="tok.abc">',
    );
    expect(withToken).toContain('value="approve">Approve and apply 5 ops</button>');
    expect(renderRunPage('hr', pending)).not.toContain('<form');
    const decided = renderRunPage(
      'hr',
      { ...pending, approval: { state: 'rejected', expiresAt: 'x', by: 'ops-oncall', at: '2026-11-22T13:00:00.000Z' } },
      { csrf: 'tok.abc' },
    );
    expect(decided).not.toContain('<form');
    expect(decided).toContain('rejected</span> by ops-oncall at 2026-11-22T13:00:00.000Z');
  });
});

describe('form tokens', () => {
  it('are bound to the run and the secret, and lapse after an hour', () => {
    const t = formToken('secret', 'hr', 'run-1', NOW.getTime());
    expect(checkFormToken('secret', 'hr', 'run-1', t, NOW.getTime() + 60_000)).toBe(true);
    expect(checkFormToken('secret', 'hr', 'run-2', t, NOW.getTime())).toBe(false);
    expect(checkFormToken('other', 'hr', 'run-1', t, NOW.getTime())).toBe(false);
    expect(checkFormToken('secret', 'hr', 'run-1', t, NOW.getTime() + FORM_TOKEN_MS + 1)).toBe(false);
    expect(checkFormToken('secret', 'hr', 'run-1', '', NOW.getTime())).toBe(false);
  });
});
