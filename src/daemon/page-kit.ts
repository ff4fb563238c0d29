import type { RunView } from '../store/run-record.js';

/** What the status page and the run page share: escaping, times, links, the stylesheet and the frame. */

export const OUTCOMES = ['applied', 'already-done', 'failed', 'skipped-dependency'] as const;

/** HTML-escapes any value: every piece of data on these pages goes through it. */
export const esc = (s: unknown): string =>
  String(s ?? '').replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
export const sum = (r: RunView, outcome: string) =>
  Object.entries(r.counts)
    .filter(([k]) => k.endsWith(`.${outcome}`))
    .reduce((n, [, v]) => n + v, 0);
export const failedOps = (r: RunView) => sum(r, 'failed') + sum(r, 'skipped-dependency');
export const durationMs = (r: RunView) =>
  r.finishedAt ? Date.parse(r.finishedAt) - Date.parse(r.startedAt) : undefined;
export const took = (r: RunView) => (r.finishedAt ? seconds(durationMs(r)! / 1000) : '…');
export const runHref = (profile: string, runId: string) =>
  `/runs/${encodeURIComponent(profile)}/${encodeURIComponent(runId)}`;

export function seconds(s: number): string {
  if (s < 90) return `${s.toFixed(1)} s`;
  if (s < 5400) return `${Math.round(s / 60)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}

/** "2026-11-23 03:00:05" in the given zone (seconds only when not zero). */
export function wallClock(at: Date, timezone: string): string {
  const f = new Intl.DateTimeFormat('sv-SE', {
    timeZone: timezone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    ...(at.getUTCSeconds() ? { second: '2-digit' as const } : {}),
  });
  return f.format(at);
}

/** "2026-11-23 03:00 (Europe/Berlin), in 9.0 h" */
export function nextTick(iso: string | null, timezone: string, now: Date): string {
  if (!iso) return '—';
  const at = new Date(iso);
  const ahead = (at.getTime() - now.getTime()) / 1000;
  return `${wallClock(at, timezone)} (${timezone})${ahead >= 0 ? `, in ${seconds(ahead)}` : ''}`;
}

/** Text cut to one line with an ellipsis; the whole of it in the DOM and on hover (title). */
export const clipped = (text: string, cls = '') => `<span class="clip ${cls}" title="${esc(text)}">${esc(text)}</span>`;

// Long names (a 255-character team, an email) wrap or clip inside fixed table layouts, so the page
// never scrolls sideways at 1280 px.
const CSS = `body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1100px;padding:0 16px;color:#1d2330;background:#f6f7f9}td{overflow-wrap:anywhere}th{white-space:nowrap}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:28px 0 8px}a{color:#1f4fa3}.muted{color:#667}
table{border-collapse:collapse;background:#fff;width:100%}th,td{padding:6px 10px;border-bottom:1px solid #e4e6ea;text-align:left;vertical-align:top}
table.fixed{table-layout:fixed}th{background:#eef0f3;font-weight:600}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}td.reason{max-width:320px;overflow-wrap:anywhere;color:#8a1c17}td.reason .first-failure{display:-webkit-box;-webkit-box-orient:vertical;-webkit-line-clamp:2;overflow:hidden}
.clip{display:block;overflow:hidden;text-overflow:ellipsis;white-space:nowrap;max-width:100%}
.badge{padding:2px 8px;border-radius:10px;font-size:12px;font-weight:600;white-space:nowrap}.succeeded,.approved{background:#dcf5e3;color:#17612f}
.partial,.stale,.expired{background:#fff1d6;color:#7a4b00}.failed,.interrupted,.rejected{background:#fde2e1;color:#8a1c17}.blocked,.pending{background:#ffe0ef;color:#8a1450}
.running,.applying,.reading{background:#dde9ff;color:#1f4fa3}.bar{width:320px;max-width:60%;height:14px;background:#e4e6ea;border-radius:7px;overflow:hidden;display:inline-block;vertical-align:middle}
.bar>span{display:block;height:100%;background:#3b7ddd}.card,.person-search{background:#fff;border:1px solid #e4e6ea;border-radius:8px;padding:12px 16px;margin:8px 0}
.card.blocked-plan{border-color:#e9a3c6;background:#fff5fa}.card.credentials-refused{border-color:#f0a8a4;background:#fff6f5;color:#8a1c17}td.nowrap{white-space:nowrap}code{background:#eef0f3;padding:1px 5px;border-radius:4px}
form.decide{display:flex;gap:12px;align-items:center;margin-top:10px}form.decide button{font:inherit;font-weight:600;padding:6px 14px;border-radius:6px;border:1px solid #999;cursor:pointer}
button.approve{background:#17612f;color:#fff;border-color:#17612f}button.reject{background:#fff;color:#8a1c17;border-color:#8a1c17}
.group{background:#fff;border:1px solid #e4e6ea;border-radius:8px;margin:8px 0;padding:8px 12px}.group h3{font-size:14px;margin:0 0 6px;color:#8a1c17}
.group ul{margin:0;padding-left:18px}.group li{max-width:100%}.count{display:inline-block;min-width:28px;padding:0 6px;border-radius:9px;background:#fde2e1;color:#8a1c17;text-align:center;margin-right:6px}
svg.history{width:100%;height:auto;background:#fff;border:1px solid #e4e6ea;border-radius:8px}.legend{font-size:12px;color:#667}
.legend i{display:inline-block;width:10px;height:10px;margin:0 4px 0 10px;vertical-align:middle}.pager{margin:8px 0}`;

export function page(title: string, body: string, refresh: boolean): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(title)}</title>${refresh ? '<meta http-equiv="refresh" content="10">' : ''}<style>${CSS}</style></head><body>${body}</body></html>`;
}
