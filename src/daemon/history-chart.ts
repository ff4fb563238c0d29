import type { RunView } from '../store/run-record.js';
import { durationMs, esc, failedOps, runHref, seconds, sum } from './page-kit.js';

const W = 1000;
const H = 140;
const TOP = 12;
const BASE = 104;
const SHOWN = 15;

/**
 * The last runs of a profile as inline SVG (no script, so the CSP stays script-free): a bar per run
 * on a square-root scale, ops applied (green) under ops failed (red), a blocked run as a pink stub, and the duration as a
 * dot on its own scale. Oldest left, newest right: a trend, a stuck profile (a row of pink stubs)
 * or a slowdown shows at a glance. Each bar links to its run and says its numbers on hover.
 */
export function historyChart(profile: string, runs: RunView[]): string {
  const shown = runs
    .filter((r) => r.status !== 'running')
    .slice(0, SHOWN)
    .reverse();
  if (shown.length === 0) return '';
  const ops = shown.map((r) => ({ applied: sum(r, 'applied') + sum(r, 'already-done'), failed: failedOps(r) }));
  const maxOps = Math.max(1, ...ops.map((o) => o.applied + o.failed));
  const maxMs = Math.max(1, ...shown.map((r) => durationMs(r) ?? 0));
  const slot = (W - 60) / SHOWN;
  const barW = Math.max(6, slot * 0.6);
  // A square-root scale: a 2-op run beside a 531-op backfill still shows (about 6% of the height,
  // not 0.4%), and bigger runs still read as bigger. Stacked parts split the run's height by share.
  const height = (n: number) => (n > 0 ? Math.max(2, (BASE - TOP) * Math.sqrt(n / maxOps)) : 0);
  const bars = shown.map((r, i) => {
    const x = 40 + i * slot;
    const { applied, failed } = ops[i]!;
    const ms = durationMs(r) ?? 0;
    const label = `${r.runId}: ${r.status}, ${applied} ops done, ${failed} failed, took ${seconds(ms / 1000)}`;
    const total = height(applied + failed);
    const hF = failed > 0 ? Math.max(2, (total * failed) / (applied + failed)) : 0;
    const hA = applied > 0 ? Math.max(2, total - hF) : 0;
    const parts = [
      `<title>${esc(label)}</title>`,
      `<rect class="slot" x="${x.toFixed(1)}" y="${TOP}" width="${barW.toFixed(1)}" height="${BASE - TOP}" fill="transparent"/>`,
      applied > 0
        ? `<rect class="applied" x="${x.toFixed(1)}" y="${(BASE - hA).toFixed(1)}" width="${barW.toFixed(1)}" height="${hA.toFixed(1)}" fill="#3aa35b"/>`
        : '',
      failed > 0
        ? `<rect class="failed" x="${x.toFixed(1)}" y="${(BASE - hA - hF).toFixed(1)}" width="${barW.toFixed(1)}" height="${hF.toFixed(1)}" fill="#d2453d"/>`
        : '',
      r.status === 'blocked' || r.status === 'failed'
        ? `<rect class="${r.status}" x="${x.toFixed(1)}" y="${BASE - 6}" width="${barW.toFixed(1)}" height="6" fill="${r.status === 'blocked' ? '#d94c94' : '#8a1c17'}"/>`
        : '',
      `<circle class="duration" cx="${(x + barW / 2).toFixed(1)}" cy="${(BASE - ((BASE - TOP) * ms) / maxMs).toFixed(1)}" r="3" fill="#1f4fa3"/>`,
    ];
    return `<a href="${runHref(profile, r.runId)}"><g class="run">${parts.join('')}</g></a>`;
  });
  const axis =
    `<line x1="36" y1="${BASE}" x2="${W - 10}" y2="${BASE}" stroke="#c8ccd3"/><text x="32" y="${TOP + 8}" text-anchor="end" font-size="10" fill="#667">${maxOps}</text><text x="32" y="${(BASE - (BASE - TOP) * 0.5).toFixed(1)}" text-anchor="end" font-size="10" fill="#667">${Math.round(maxOps / 4)}</text><text x="32" y="${BASE}" text-anchor="end" font-size="10" fill="#667">0</text>` +
    `<text x="40" y="${H - 10}" font-size="10" fill="#667">older</text><text x="${W - 10}" y="${H - 10}" text-anchor="end" font-size="10" fill="#667">newest · slowest ${esc(seconds(maxMs / 1000))}</text>`;
  return `<figure class="history" id="history-${esc(profile)}" style="margin:8px 0"><svg class="history" viewBox="0 0 ${W} ${H}" role="img" aria-label="last ${shown.length} runs of ${esc(profile)}: ops applied, failed, duration">${axis}${bars.join('')}</svg>
<figcaption class="legend">last ${shown.length} runs<i style="background:#3aa35b"></i>ops done<i style="background:#d2453d"></i>failed<i style="background:#d94c94"></i>blocked<i style="background:#1f4fa3;border-radius:5px"></i>duration</figcaption></figure>`;
}
