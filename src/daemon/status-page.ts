import { OP_KINDS } from '../model/index.js';
import type { RunView } from '../store/run-record.js';

export interface ProfileStatus {
  name: string;
  source: string;
  schedules: { mode: string; expression: string; next: string | null }[];
  timezone: string;
  current?: { runId?: string; done: number; total: number; startedAt: string };
  runs: RunView[];
}

const esc = (s: unknown) => String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const sum = (r: RunView, outcome: string) => Object.entries(r.counts).filter(([k]) => k.endsWith(`.${outcome}`)).reduce((n, [, v]) => n + v, 0);
const duration = (r: RunView) => (r.finishedAt ? `${((Date.parse(r.finishedAt) - Date.parse(r.startedAt)) / 1000).toFixed(1)} s` : '…');

const CSS = `body{font:14px/1.45 system-ui,sans-serif;margin:24px;color:#1d2330;background:#f6f7f9}h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:28px 0 8px}
.muted{color:#667}table{border-collapse:collapse;background:#fff;min-width:640px}th,td{padding:6px 10px;border-bottom:1px solid #e4e6ea;text-align:left}
th{background:#eef0f3;font-weight:600}td.n{text-align:right;font-variant-numeric:tabular-nums}.badge{padding:2px 8px;border-radius:10px;font-size:12px;font-weight:600}
.succeeded{background:#dcf5e3;color:#17612f}.partial{background:#fff1d6;color:#7a4b00}.failed{background:#fde2e1;color:#8a1c17}.blocked{background:#ffe0ef;color:#8a1450}.running{background:#dde9ff;color:#1f4fa3}
.bar{width:320px;height:14px;background:#e4e6ea;border-radius:7px;overflow:hidden;display:inline-block;vertical-align:middle}.bar>span{display:block;height:100%;background:#3b7ddd}
.card{background:#fff;border:1px solid #e4e6ea;border-radius:8px;padding:12px 16px;margin:8px 0}code{background:#eef0f3;padding:1px 5px;border-radius:4px}`;

/** The daemon's status page: server-rendered, no scripts, every value escaped. */
export function renderStatusPage(profiles: ProfileStatus[], generatedAt = new Date()): string {
  const sections = profiles.map((p) => {
    const schedules = p.schedules.map((s) => `${esc(s.mode)} <code>${esc(s.expression)}</code> next ${esc(s.next ?? '—')}`).join('<br>') || '<span class="muted">no schedule</span>';
    const current = p.current
      ? `<div class="card" id="current-${esc(p.name)}"><b>Running</b> ${esc(p.current.runId ?? '')} since ${esc(p.current.startedAt)}<br>
         <span class="bar"><span style="width:${p.current.total ? Math.round((100 * p.current.done) / p.current.total) : 0}%"></span></span>
         <span class="progress">${p.current.done} / ${p.current.total} ops</span></div>`
      : '';
    const blocked = p.runs.find((r) => r.status === 'blocked');
    const waiting = blocked && p.runs[0]?.runId === blocked.runId
      ? `<div class="card blocked-plan"><b>Blocked plan</b> ${esc(blocked.planId)}: ${esc(blocked.blocked?.reason)}<br>Review it, then run
         <code>rostersync backfill --config … --profile ${esc(p.name)} --allow-deletes N</code></div>`
      : '';
    const rows = p.runs.map((r) => `<tr><td><a href="/runs/${encodeURIComponent(p.name)}/${encodeURIComponent(r.runId)}">${esc(r.runId)}</a></td>
      <td><span class="badge ${esc(r.status)}">${esc(r.status)}</span></td><td>${esc(r.trigger)} / ${esc(r.mode)}</td><td>${esc(r.startedAt)}</td><td class="n">${esc(duration(r))}</td>
      <td class="n">${r.totalOps}</td><td class="n">${sum(r, 'applied')}</td><td class="n">${sum(r, 'already-done')}</td><td class="n">${sum(r, 'failed') + sum(r, 'skipped-dependency')}</td></tr>`).join('');
    return `<h2>Profile ${esc(p.name)} <span class="muted">(${esc(p.source)}, ${esc(p.timezone)})</span></h2>
      <div class="card">${schedules}</div>${current}${waiting}
      <table class="runs"><tr><th>run</th><th>status</th><th>trigger</th><th>started</th><th>took</th><th>ops</th><th>applied</th><th>already</th><th>failed</th></tr>${rows || '<tr><td colspan="9" class="muted">no runs yet</td></tr>'}</table>`;
  }).join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>rostersync status</title><meta http-equiv="refresh" content="10"><style>${CSS}</style></head>
<body><h1>rostersync</h1><div class="muted">status at ${esc(generatedAt.toISOString())} · <a href="/metrics">metrics</a> · <a href="/healthz">health</a></div>${sections}</body></html>`;
}

/** One run in detail: counts per op kind and outcome, failures with reasons. */
export function renderRunPage(profile: string, r: RunView): string {
  const outcomes = ['applied', 'already-done', 'failed', 'skipped-dependency'];
  const rows = OP_KINDS.filter((k) => (r.planned[k] ?? 0) > 0).map((k) => `<tr><td>${k}</td><td class="n">${r.planned[k]}</td>${outcomes.map((o) => `<td class="n">${r.counts[`${k}.${o}`] ?? 0}</td>`).join('')}</tr>`).join('');
  const failures = r.failures.map((f) => `<tr><td><code>${esc(f.opKey)}</code></td><td>${esc(f.reason)}</td></tr>`).join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>run ${esc(r.runId)}</title><style>${CSS}</style></head><body>
<h1>Run ${esc(r.runId)} <span class="badge ${esc(r.status)}">${esc(r.status)}</span></h1>
<div class="muted">profile ${esc(profile)} · plan ${esc(r.planId)} · ${esc(r.trigger)} / ${esc(r.mode)} · started ${esc(r.startedAt)} · took ${esc(duration(r))} · <a href="/">back</a> · <a href="?format=json">json</a></div>
${r.blocked ? `<div class="card blocked-plan"><b>${esc(r.blocked.code)}</b>: ${esc(r.blocked.reason)}</div>` : ''}${r.error ? `<div class="card"><b>error</b>: ${esc(r.error)}</div>` : ''}
<h2>Ops</h2><table><tr><th>op</th><th>planned</th>${outcomes.map((o) => `<th>${o}</th>`).join('')}</tr>${rows}</table>
<h2>Failures</h2><table><tr><th>op</th><th>reason</th></tr>${failures || '<tr><td colspan="2" class="muted">none</td></tr>'}</table></body></html>`;
}
