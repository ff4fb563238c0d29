import { OP_KINDS } from '../model/index.js';
import type { RunView } from '../store/run-record.js';

export interface ProfileStatus {
  name: string;
  source: string;
  timezone: string;
  /** False when another replica (role scheduler) fires this profile's ticks. */
  scheduledHere: boolean;
  schedules: { mode: string; expression: string; next: string | null }[];
  current?: { state: 'reading' | 'applying' | 'interrupted'; runId?: string; done: number; total: number; startedAt: string };
  runs: RunView[];
}

const OUTCOMES = ['applied', 'already-done', 'failed', 'skipped-dependency'] as const;

/** HTML-escapes any value: every piece of data on these pages goes through it. */
export const esc = (s: unknown): string => String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const sum = (r: RunView, outcome: string) => Object.entries(r.counts).filter(([k]) => k.endsWith(`.${outcome}`)).reduce((n, [, v]) => n + v, 0);
const failedOps = (r: RunView) => sum(r, 'failed') + sum(r, 'skipped-dependency');
const took = (r: RunView) => (r.finishedAt ? seconds((Date.parse(r.finishedAt) - Date.parse(r.startedAt)) / 1000) : '…');
const runHref = (profile: string, runId: string) => `/runs/${encodeURIComponent(profile)}/${encodeURIComponent(runId)}`;

function seconds(s: number): string {
  if (s < 90) return `${s.toFixed(1)} s`;
  if (s < 5400) return `${Math.round(s / 60)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}

/** "2026-11-23 03:00:05" in the given zone (seconds only when not zero). */
export function wallClock(at: Date, timezone: string): string {
  const f = new Intl.DateTimeFormat('sv-SE', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', ...(at.getUTCSeconds() ? { second: '2-digit' as const } : {}) });
  return f.format(at);
}

/** "2026-11-23 03:00 (Europe/Berlin), in 9.0 h" */
export function nextTick(iso: string | null, timezone: string, now: Date): string {
  if (!iso) return '—';
  const at = new Date(iso);
  const ahead = (at.getTime() - now.getTime()) / 1000;
  return `${wallClock(at, timezone)} (${timezone})${ahead >= 0 ? `, in ${seconds(ahead)}` : ''}`;
}

const CSS = `body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1100px;padding:0 16px;color:#1d2330;background:#f6f7f9}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:28px 0 8px}a{color:#1f4fa3}.muted{color:#667}
table{border-collapse:collapse;background:#fff;width:100%}th,td{padding:6px 10px;border-bottom:1px solid #e4e6ea;text-align:left;vertical-align:top}
th{background:#eef0f3;font-weight:600}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}td.reason{max-width:320px;overflow-wrap:anywhere;color:#8a1c17}
.badge{padding:2px 8px;border-radius:10px;font-size:12px;font-weight:600;white-space:nowrap}.succeeded{background:#dcf5e3;color:#17612f}
.partial{background:#fff1d6;color:#7a4b00}.failed,.interrupted{background:#fde2e1;color:#8a1c17}.blocked{background:#ffe0ef;color:#8a1450}
.running,.applying,.reading{background:#dde9ff;color:#1f4fa3}.bar{width:320px;max-width:60%;height:14px;background:#e4e6ea;border-radius:7px;overflow:hidden;display:inline-block;vertical-align:middle}
.bar>span{display:block;height:100%;background:#3b7ddd}.card{background:#fff;border:1px solid #e4e6ea;border-radius:8px;padding:12px 16px;margin:8px 0}
.card.blocked-plan{border-color:#e9a3c6;background:#fff5fa}td.nowrap{white-space:nowrap}code{background:#eef0f3;padding:1px 5px;border-radius:4px}`;

function page(title: string, body: string, refresh: boolean): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(title)}</title>${refresh ? '<meta http-equiv="refresh" content="10">' : ''}<style>${CSS}</style></head><body>${body}</body></html>`;
}

function currentCard(p: ProfileStatus): string {
  const c = p.current;
  if (!c) return '';
  const pct = c.total ? Math.round((100 * c.done) / c.total) : 0;
  const what = c.state === 'reading' ? ' reading the directory and the target, planning' : c.state === 'interrupted' ? ': continues at the next start or tick' : '';
  const run = c.runId ? ` run <a href="${runHref(p.name, c.runId)}">${esc(c.runId)}</a>` : '';
  const since = c.startedAt ? `, started ${esc(wallClock(new Date(c.startedAt), p.timezone))}` : '';
  return `<div class="card current" id="current-${esc(p.name)}"><span class="badge ${esc(c.state)}">${esc(c.state)}</span>${run}${esc(what)}${since}<br>
<span class="bar" role="progressbar" aria-valuenow="${pct}" aria-valuemin="0" aria-valuemax="100"><span style="width:${pct}%"></span></span> <span class="progress">${c.done} / ${c.total} ops</span></div>`;
}

function blockedCard(p: ProfileStatus): string {
  const newest = p.runs.find((r) => r.status !== 'running');
  if (newest?.status !== 'blocked') return '';
  return `<div class="card blocked-plan"><b>Blocked plan waiting for review</b>: <a href="${runHref(p.name, newest.runId)}">${esc(newest.runId)}</a> (plan ${esc(newest.planId)})<br>
${esc(newest.blocked?.code)}: ${esc(newest.blocked?.reason)}<br>Nothing was applied. Review it with <code>rostersync plan --config … --profile ${esc(p.name)}</code>, then accept it once with
<code>rostersync backfill --config … --profile ${esc(p.name)} --allow-deletes N</code>; scheduled syncs stay blocked until then.</div>`;
}

function runRow(p: ProfileStatus, r: RunView): string {
  const firstFailure = r.failures[0]?.reason ?? r.error ?? r.blocked?.reason ?? '';
  return `<tr><td class="nowrap"><a href="${runHref(p.name, r.runId)}">${esc(r.runId)}</a></td><td><span class="badge ${esc(r.status)}">${esc(r.status)}</span></td>
<td>${esc(r.trigger)} / ${esc(r.mode)}</td><td class="nowrap" title="${esc(r.startedAt)}">${esc(wallClock(new Date(r.startedAt), p.timezone))}</td><td class="n">${esc(took(r))}</td><td class="n">${r.totalOps}</td>
<td class="n">${sum(r, 'applied')}</td><td class="n">${sum(r, 'already-done')}</td><td class="n">${failedOps(r)}</td><td class="reason">${esc(firstFailure.slice(0, 160))}</td></tr>`;
}

/** The daemon's status page: server-rendered, no scripts, every value escaped. */
export function renderStatusPage(profiles: ProfileStatus[], now = new Date()): string {
  const sections = profiles.map((p) => {
    const schedules = p.schedules.length === 0
      ? '<span class="muted">no schedule: runs only on demand (backfill)</span>'
      : p.schedules.map((s) => `<div class="schedule">${esc(s.mode)} <code>${esc(s.expression)}</code> next ${esc(nextTick(s.next, p.timezone, now))}</div>`).join('')
        + (p.scheduledHere ? '' : '<div class="muted">ticks are fired by the scheduler replicas</div>');
    const rows = p.runs.map((r) => runRow(p, r)).join('') || '<tr><td colspan="10" class="muted">no runs yet</td></tr>';
    return `<section id="profile-${esc(p.name)}"><h2>Profile ${esc(p.name)} <span class="muted">(${esc(p.source)}, ${esc(p.timezone)})</span></h2>
<div class="card schedules">${schedules}</div>${currentCard(p)}${blockedCard(p)}
<table class="runs"><tr><th>run</th><th>status</th><th>trigger / mode</th><th>started (${esc(p.timezone)})</th><th class="n">took</th><th class="n">ops</th><th class="n">applied</th><th class="n">already</th><th class="n">failed</th><th>first failure</th></tr>${rows}</table></section>`;
  }).join('');
  return page('rostersync status', `<h1>rostersync</h1><div class="muted">status at ${esc(now.toISOString())} · refreshes every 10 s · <a href="/metrics">metrics</a> · <a href="/readyz">readiness</a></div>${sections}`, true);
}

/** One run in detail: counts per op kind and outcome, failures with reasons. */
export function renderRunPage(profile: string, r: RunView): string {
  const rows = OP_KINDS.filter((k) => (r.planned[k] ?? 0) > 0)
    .map((k) => `<tr><td>${esc(k)}</td><td class="n">${r.planned[k]}</td>${OUTCOMES.map((o) => `<td class="n">${r.counts[`${k}.${o}`] ?? 0}</td>`).join('')}</tr>`).join('');
  const failures = r.failures.map((f) => `<tr><td><code>${esc(f.opKey)}</code></td><td class="reason">${esc(f.reason)}</td></tr>`).join('');
  const source = r.source ? `<div class="card">source: ${r.source.people} people, ${r.source.groups} groups, ${r.source.issues} skipped rows, read in ${esc(seconds(r.source.readMs / 1000))}</div>` : '';
  const body = `<h1>Run ${esc(r.runId)} <span class="badge ${esc(r.status)}">${esc(r.status)}</span></h1>
<div class="muted">profile ${esc(profile)} · plan ${esc(r.planId ?? '—')} · ${esc(r.trigger)} / ${esc(r.mode)} · started ${esc(r.startedAt)} · took ${esc(took(r))} · ${r.done} / ${r.totalOps} ops done · ${r.warnings} warnings · <a href="/">back</a> · <a href="?format=json">json</a></div>
${r.blocked ? `<div class="card blocked-plan"><b>${esc(r.blocked.code)}</b>: ${esc(r.blocked.reason)}</div>` : ''}${r.error ? `<div class="card"><b>error</b>: ${esc(r.error)}</div>` : ''}${source}
<h2>Ops</h2><table class="ops"><tr><th>op</th><th class="n">planned</th>${OUTCOMES.map((o) => `<th class="n">${o}</th>`).join('')}</tr>${rows || '<tr><td colspan="6" class="muted">no ops</td></tr>'}</table>
<h2>Failures</h2><table class="failures"><tr><th>op</th><th>reason</th></tr>${failures || '<tr><td colspan="2" class="muted">none</td></tr>'}</table>`;
  return page(`run ${r.runId}`, body, r.status === 'running');
}
