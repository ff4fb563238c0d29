import { describeEntry } from '../audit/describe-entry.js';
import type { AuditFilter, AuditPage } from '../store/audit-log.js';

/** A run's changes in words for `status --run`: one line each, and how to see the next page. */
export function renderChangesText(
  p: AuditPage,
  filter: AuditFilter,
  pageNo: number,
  perPage: number,
  runId: string,
): string {
  const filtered = [filter.person && `person ${filter.person}`, filter.action && `kind ${filter.action}`]
    .filter(Boolean)
    .join(', ');
  const pages = Math.max(1, Math.ceil(p.matching / perPage));
  const head = `Changes (${p.matching}${filtered ? ` of ${p.total}, ${filtered}` : ''})${pages > 1 ? `, page ${pageNo} of ${pages}` : ''}`;
  if (p.matching === 0) return `${head}\n  none${filtered ? ' match' : ''}`;
  const lines = [head, ...p.entries.map((x) => `  ${describeEntry(x.entry)}`)];
  if (pageNo < pages) lines.push(`  … next: rostersync status --run ${runId} --page ${pageNo + 1}`);
  return lines.join('\n');
}
