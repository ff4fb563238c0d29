import type { RunView } from '../store/run-record.js';
import type { RefusedSource } from './refused-sources.js';
import { historyChart } from './history-chart.js';
import { esc, failedOps, nextTick, page, runHref, sum, took, wallClock } from './page-kit.js';

export { esc, nextTick, wallClock } from './page-kit.js';
export { renderRunPage } from './run-page.js';
export interface ProfileStatus {
  name: string;
  source: string;
  timezone: string;
  /** False when another replica (role scheduler) fires this profile's ticks. */
  scheduledHere: boolean;
  schedules: { mode: string; expression: string; next: string | null }[];
  current?: {
    state: 'reading' | 'applying' | 'interrupted';
    runId?: string;
    done: number;
    total: number;
    startedAt: string;
  };
  /** The source refused the configured credentials at the last tick this process ran. */
  refused?: RefusedSource;
  runs: RunView[];
}

/**
 * One line per profile whose source refuses the configured credentials, above everything else: the
 * runs below would otherwise repeat it once per tick.
 */
function refusedCard(profiles: ProfileStatus[]): string {
  const refused = profiles.filter((p) => p.refused);
  if (refused.length === 0) return '';
  const lines = refused
    .map((p) => {
      const r = p.refused!;
      const since = r.since === r.lastAt ? '' : `, since ${wallClock(new Date(r.since), p.timezone)}`;
      return `<div class="refused-source" id="refused-${esc(p.name)}"><b>${esc(p.name)}</b>: ${esc(r.line)} <span class="muted">(last tick ${esc(wallClock(new Date(r.lastAt), p.timezone))}${esc(since)})</span></div>`;
    })
    .join('');
  return `<div class="card credentials-refused">${lines}</div>`;
}

function currentCard(p: ProfileStatus): string {
  const c = p.current;
  if (!c) return '';
  const pct = c.total ? Math.round((100 * c.done) / c.total) : 0;
  const what =
    c.state === 'reading'
      ? ' reading the directory and the target, planning'
      : c.state === 'interrupted'
        ? ': continues at the next start or tick'
        : '';
  const run = c.runId ? ` run <a href="${runHref(p.name, c.runId)}">${esc(c.runId)}</a>` : '';
  const since = c.startedAt ? `, started ${esc(wallClock(new Date(c.startedAt), p.timezone))}` : '';
  return `<div class="card current" id="current-${esc(p.name)}"><span class="badge ${esc(c.state)}">${esc(c.state)}</span>${run}${esc(what)}${since}<br>
<span class="bar" role="progressbar" aria-valuenow="${pct}" aria-valuemin="0" aria-valuemax="100"><span style="width:${pct}%"></span></span> <span class="progress">${c.done} / ${c.total} ops</span></div>`;
}

function blockedCard(p: ProfileStatus): string {
  const newest = p.runs.find((r) => r.status !== 'running');
  const pending = p.runs.find((r) => r.status === 'blocked' && r.approval?.state === 'pending');
  if (pending) {
    const a = pending.approval!;
    const planned = Object.entries(pending.planned)
      .map(([k, n]) => `${esc(k)} ${n}`)
      .join(', ');
    const ticks = a.waitingTicks
      ? `<br><span class="waiting-ticks">${a.waitingTicks.count} tick(s) since planned and applied nothing (last ${esc(wallClock(new Date(a.waitingTicks.lastAt), p.timezone))}: ${a.waitingTicks.samePlan ? 'the same changes' : `different changes, ${a.waitingTicks.lastOps} ops: approving this plan will be refused as stale`})</span>`
      : '';
    return `<div class="card blocked-plan pending-approval"><b>Blocked plan waiting for review</b>: <a href="${runHref(p.name, pending.runId)}">${esc(pending.runId)}</a> (plan ${esc(pending.planId)}: ${planned || 'no ops'})<br>
${esc(pending.blocked?.code)}: ${esc(pending.blocked?.reason)}<br>Nothing was applied. <a href="${runHref(p.name, pending.runId)}">Review its changes and approve or reject it</a> before ${esc(wallClock(new Date(a.expiresAt), p.timezone))}; until then ticks plan but do not apply.${ticks}</div>`;
  }
  if (newest?.status !== 'blocked' || newest.approval) return '';
  return `<div class="card blocked-plan"><b>Blocked plan waiting for review</b>: <a href="${runHref(p.name, newest.runId)}">${esc(newest.runId)}</a> (plan ${esc(newest.planId)})<br>
${esc(newest.blocked?.code)}: ${esc(newest.blocked?.reason)}<br>Nothing was applied. Review it with <code>rostersync plan --config … --profile ${esc(p.name)}</code>, then accept it once with
<code>rostersync backfill --config … --profile ${esc(p.name)} --allow-deletes N</code>.</div>`;
}

function runRow(p: ProfileStatus, r: RunView): string {
  const decided =
    r.approval && r.approval.state !== 'pending'
      ? `${r.approval.state}${r.approval.by ? ` by ${r.approval.by}` : ''}: `
      : '';
  const firstFailure = decided + (r.failures[0]?.reason ?? r.error ?? r.blocked?.reason ?? '');
  return `<tr><td class="nowrap"><a href="${runHref(p.name, r.runId)}">${esc(r.runId)}</a></td><td><span class="badge ${esc(r.status)}">${esc(r.status)}</span></td>
<td>${esc(r.trigger)} / ${esc(r.mode)}</td><td class="nowrap" title="${esc(r.startedAt)}">${esc(wallClock(new Date(r.startedAt), p.timezone))}</td><td class="n">${esc(took(r))}</td><td class="n">${r.totalOps}</td>
<td class="n">${sum(r, 'applied')}</td><td class="n">${sum(r, 'already-done')}</td><td class="n">${failedOps(r)}</td><td class="reason"><div class="first-failure" title="${esc(firstFailure)}">${esc(firstFailure.slice(0, 160))}</div></td></tr>`;
}

/**
 * A plain GET form to `/people`: one person step by step (what `rostersync explain` prints), for
 * "why does this person have (or not have) access?".
 */
function personSearch(profiles: ProfileStatus[]): string {
  if (profiles.length === 0) return '';
  const choose =
    profiles.length === 1
      ? `<input type="hidden" name="profile" value="${esc(profiles[0]!.name)}">`
      : `<label>profile <select name="profile">${profiles.map((p) => `<option>${esc(p.name)}</option>`).join('')}</select></label> `;
  return `<form class="person-search" method="get" action="/people">${choose}<label>Why does <input type="email" name="email" placeholder="person@example.com" required> have the access they have?</label> <button type="submit">Explain</button></form>`;
}

/** The daemon's status page: server-rendered, no scripts, every value escaped. */
export function renderStatusPage(profiles: ProfileStatus[], now = new Date()): string {
  const sections = profiles
    .map((p) => {
      const schedules =
        p.schedules.length === 0
          ? '<span class="muted">no schedule: runs only on demand (backfill)</span>'
          : p.schedules
              .map(
                (s) =>
                  `<div class="schedule">${esc(s.mode)} <code>${esc(s.expression)}</code> next ${esc(nextTick(s.next, p.timezone, now))}</div>`,
              )
              .join('') + (p.scheduledHere ? '' : '<div class="muted">ticks are fired by the scheduler replicas</div>');
      const rows =
        p.runs.map((r) => runRow(p, r)).join('') || '<tr><td colspan="10" class="muted">no runs yet</td></tr>';
      return `<section id="profile-${esc(p.name)}"><h2>Profile ${esc(p.name)} <span class="muted">(${esc(p.source)}, ${esc(p.timezone)})</span></h2>
<div class="card schedules">${schedules}</div>${currentCard(p)}${blockedCard(p)}${historyChart(p.name, p.runs)}
<table class="runs"><tr><th>run</th><th>status</th><th>trigger / mode</th><th>started (${esc(p.timezone)})</th><th class="n">took</th><th class="n">ops</th><th class="n">applied</th><th class="n">already</th><th class="n">failed</th><th>first failure</th></tr>${rows}</table></section>`;
    })
    .join('');
  return page(
    'rostersync status',
    `<h1>rostersync</h1><div class="muted">status at ${esc(now.toISOString())} · refreshes every 10 s · <a href="/metrics">metrics</a> · <a href="/readyz">readiness</a></div>${refusedCard(profiles)}${personSearch(profiles)}${sections}`,
    true,
  );
}
