import { OP_KINDS } from '../model/index.js';
import type { RunView } from '../store/run-record.js';

const OUTCOMES = ['applied', 'already-done', 'failed', 'skipped-dependency'] as const;

/** The end-of-run table: planned and outcome counts per op kind, then failures. */
export function renderRunSummary(run: RunView, limit = 20): string {
  const lines = [
    `Run ${run.runId}  ${run.status.toUpperCase()}  plan ${run.planId ?? '-'}  (${run.trigger}, ${run.mode})`,
  ];
  if (run.blocked) lines.push(`  blocked (${run.blocked.code}): ${run.blocked.reason}`);
  if (run.error) lines.push(`  error: ${run.error}`);
  const a = run.approval;
  if (a)
    lines.push(
      a.state === 'pending'
        ? `  waits for a decision until ${a.expiresAt}: rostersync approve ${run.runId} | rostersync reject ${run.runId}`
        : `  ${a.state}${a.by ? ` by ${a.by}` : ''}${a.at ? ` at ${a.at}` : ''}${a.note ? `: ${a.note}` : ''}`,
    );
  const head = ['op', 'planned', ...OUTCOMES];
  const rows = OP_KINDS.filter((k) => (run.planned[k] ?? 0) > 0).map((k) => [
    k,
    String(run.planned[k] ?? 0),
    ...OUTCOMES.map((o) => String(run.counts[`${k}.${o}`] ?? 0)),
  ]);
  const total = [
    'total',
    String(run.totalOps),
    ...OUTCOMES.map((o) =>
      String(
        Object.entries(run.counts)
          .filter(([key]) => key.endsWith(`.${o}`))
          .reduce((n, [, v]) => n + v, 0),
      ),
    ),
  ];
  const all = [head, ...rows, total];
  const widths = head.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
  for (const r of all)
    lines.push('  ' + r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  '));
  if (run.failures.length > 0) {
    lines.push(`Failures (${run.failures.length}${run.failures.length >= 100 ? '+' : ''})`);
    for (const f of run.failures.slice(0, limit)) lines.push(`  ${f.opKey}: ${f.reason}`);
  }
  if (run.finishedAt)
    lines.push(`  took ${((Date.parse(run.finishedAt) - Date.parse(run.startedAt)) / 1000).toFixed(1)} s`);
  return lines.join('\n');
}

/** Longest reason shown on a run's line in `status`. */
export const REASON_WIDTH = 120;

/**
 * One run on one line for `status`: start, id, status, ops done of planned, failed ops, and why it
 * did not succeed (the blocking guard, the error of a run that failed before applying, else the
 * first failed op's reason), clipped to one line.
 */
export function renderRunLine(r: RunView): string {
  const failed = Object.entries(r.counts)
    .filter(([k]) => k.endsWith('.failed'))
    .reduce((n, [, v]) => n + v, 0);
  const reason = r.error ?? (r.status === 'failed' || r.status === 'partial' ? r.failures[0]?.reason : undefined);
  return (
    `${r.startedAt}  ${r.runId.padEnd(34)} ${r.status.padEnd(9)} ${String(r.done).padStart(6)}/${String(r.totalOps).padEnd(6)} ops  ${failed} failed` +
    (r.blocked ? `  blocked: ${r.blocked.code}` : '') +
    (reason ? `  ${r.error ? 'error' : 'first failure'}: ${oneLine(reason, REASON_WIDTH)}` : '')
  );
}

/** `text` on one line (line breaks and runs of whitespace become one space), cut to `width` characters with an ellipsis. */
export function oneLine(text: string, width: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= width ? flat : flat.slice(0, width - 1).trimEnd() + '…';
}
