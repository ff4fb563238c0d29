import { OP_KINDS, type Op, type Plan } from '../model/index.js';
import { describeOp, sourceIssuesText } from '../plan/render.js';
import type { RunView } from '../store/run-record.js';
import { clipped, esc, OUTCOMES, page, seconds, took } from './page-kit.js';
import { describeEntry } from '../audit/describe-entry.js';
import type { AuditFilter, AuditPage } from '../store/audit-log.js';

export interface RunPageOptions {
  /** The run's stored plan: ops in words instead of keys, the deletions of a blocked plan. */
  plan?: Plan;
  /** 1-based page of the deletions list. */
  page?: number;
  /** A form token for Approve / Reject; without one the buttons are not shown (no token configured). */
  csrf?: string;
  /** Shown once after a decision was posted. */
  notice?: string;
  /** A page of the run's changes (its audit), as the query filtered it. */
  changes?: { page: AuditPage; filter: AuditFilter; pageNo: number; perPage: number };
}

const PER_PAGE = 50;
/** Ops that take something away: what a person approving a blocked plan must see. */
const TAKES_AWAY = new Set<Op['kind']>(['removeMember', 'deleteUser', 'deleteTeam']);
const takesAway = (op: Op) => TAKES_AWAY.has(op.kind) || (op.kind === 'setMembers' && op.removed > 0);
const DEPENDS = /^depends on (\S+), which did not succeed$/;
const REQUEST_LINE = /^(GET|POST|PUT|PATCH|DELETE) \S+ -> /;

/** Failures grouped by reason, biggest group first, each op in words (describeOp) with its full text on hover. */
function failureGroups(r: RunView, byKey: Map<string, Op>): string {
  if (r.failures.length === 0) return '<div class="muted failures-none">none</div>';
  const recorded = new Map(r.failures.flatMap((f) => (f.what ? [[f.opKey, f.what] as const] : [])));
  const words = (key: string) => (byKey.has(key) ? describeOp(byKey.get(key)!) : (recorded.get(key) ?? key));
  const groups = new Map<string, string[]>();
  for (const f of r.failures) {
    const dep = DEPENDS.exec(f.reason);
    // The request line (method, path with ids) differs per op; the API's answer is the reason people group by.
    const reason = dep ? 'skipped: an op it depends on did not succeed' : f.reason.replace(REQUEST_LINE, '');
    groups.set(reason, [...(groups.get(reason) ?? []), words(f.opKey) + (dep ? ` (after: ${words(dep[1]!)})` : '')]);
  }
  const total = Object.entries(r.counts)
    .filter(([k]) => k.endsWith('.failed') || k.endsWith('.skipped-dependency'))
    .reduce((n, [, v]) => n + v, 0);
  const more =
    total > r.failures.length
      ? `<div class="muted">the first ${r.failures.length} of ${total} failures are listed; the counts above are exact</div>`
      : '';
  return (
    more +
    [...groups]
      .sort((a, b) => b[1].length - a[1].length)
      .map(
        ([reason, ops]) =>
          `<div class="group failure-group"><h3><span class="count">${ops.length}</span>${esc(reason)}</h3><ul>${ops
            .slice(0, 20)
            .map((o) => `<li class="op">${clipped(o)}</li>`)
            .join('')}${ops.length > 20 ? `<li class="muted">… ${ops.length - 20} more</li>` : ''}</ul></div>`,
      )
      .join('')
  );
}

function deletions(profile: string, r: RunView, plan: Plan, pageNo: number): string {
  const ops = plan.phases.flat().filter(takesAway);
  if (ops.length === 0) return '';
  const pages = Math.max(1, Math.ceil(ops.length / PER_PAGE));
  const p = Math.min(Math.max(1, pageNo), pages);
  const rows = ops
    .slice((p - 1) * PER_PAGE, p * PER_PAGE)
    .map((op) => `<tr><td>${clipped(describeOp(op), 'op')}</td><td class="why">${esc(op.reason)}</td></tr>`)
    .join('');
  const link = (n: number, label: string) => `<a href="?page=${n}#deletions">${label}</a>`;
  const pager =
    pages > 1
      ? `<div class="pager">page ${p} of ${pages} ${p > 1 ? link(p - 1, '‹ previous') : ''} ${p < pages ? link(p + 1, 'next ›') : ''}</div>`
      : '';
  return `<h2 id="deletions">Deletions and removals (${ops.length})</h2>${pager}<table class="fixed deletions"><tr><th style="width:58%">op</th><th>why</th></tr>${rows}</table>${pager}`;
}

const CHANGE_KINDS = ['membership', 'role.change', 'user', 'team', 'grant', 'run'];

/**
 * The run's changes in words, one per person and object, with a plain GET form to filter by person
 * and kind, and a pager: `?person=…&kind=…&changes=N#changes`.
 */
function changesSection(c: NonNullable<RunPageOptions['changes']>): string {
  const { page: p, filter, pageNo, perPage } = c;
  const pages = Math.max(1, Math.ceil(p.matching / perPage));
  const query = (n: number) =>
    `?${new URLSearchParams({ ...(filter.person ? { person: filter.person } : {}), ...(filter.action ? { kind: filter.action } : {}), changes: String(n) }).toString()}#changes`;
  const pager =
    pages > 1
      ? `<div class="pager">page ${pageNo} of ${pages} ${pageNo > 1 ? `<a href="${esc(query(pageNo - 1))}">‹ previous</a>` : ''} ${pageNo < pages ? `<a href="${esc(query(pageNo + 1))}">next ›</a>` : ''}</div>`
      : '';
  const options = ['', ...CHANGE_KINDS]
    .map(
      (k) =>
        `<option value="${esc(k)}"${k === (filter.action ?? '') ? ' selected' : ''}>${esc(k || 'all kinds')}</option>`,
    )
    .join('');
  const form = `<form class="filter" method="get" action="#changes"><label>person <input type="search" name="person" value="${esc(filter.person ?? '')}" placeholder="email"></label> <label>kind <select name="kind">${options}</select></label> <button type="submit">Filter</button></form>`;
  const filtered = filter.person || filter.action ? ` of ${p.total}` : '';
  const rows = p.entries
    .map(
      (x) =>
        `<li class="change ${esc('outcome' in x.entry ? x.entry.outcome : 'decision')}">${clipped(describeEntry(x.entry))}</li>`,
    )
    .join('');
  return `<h2 id="changes">Changes (${p.matching}${filtered})</h2>${form}${pager}<ul class="changes">${rows || '<li class="muted">none</li>'}</ul>${pager}`;
}

function decisionCard(profile: string, r: RunView, opts: RunPageOptions): string {
  const a = r.approval;
  if (!a) return '';
  const who = `${a.by ? ` by ${esc(a.by)}` : ''}${a.at ? ` at ${esc(a.at)}` : ''}`;
  const notice = opts.notice ? `<div class="notice"><b>${esc(opts.notice)}</b></div>` : '';
  if (a.state !== 'pending') {
    const fresh = a.freshRunId
      ? ` Fresh plan: <a href="/runs/${encodeURIComponent(profile)}/${encodeURIComponent(a.freshRunId)}">${esc(a.freshRunId)}</a>.`
      : '';
    return `<div class="card decision">${notice}<span class="badge ${esc(a.state)}">${esc(a.state)}</span>${who}${a.note ? `: ${esc(a.note)}` : ''}.${fresh}</div>`;
  }
  const ticks = a.waitingTicks
    ? `<div class="waiting-ticks">${a.waitingTicks.count} tick(s) since planned and applied nothing; the last ${a.waitingTicks.samePlan ? 'planned the same changes' : `planned different changes (${a.waitingTicks.lastOps} ops): approving will be refused as stale and a fresh plan made`}.</div>`
    : '';
  const form = opts.csrf
    ? `<form class="decide" method="post" action="/runs/${encodeURIComponent(profile)}/${encodeURIComponent(r.runId)}/decision"><input type="hidden" name="csrf" value="${esc(opts.csrf)}">
<button class="approve" type="submit" name="action" value="approve">Approve and apply ${r.totalOps} ops</button><button class="reject" type="submit" name="action" value="reject">Reject</button></form>`
    : '<div class="muted">Decisions from this page need <code>daemon.http.token</code>; from a shell: <code>rostersync approve RUN_ID</code> or <code>rostersync reject RUN_ID</code>.</div>';
  return `<div class="card blocked-plan decision">${notice}<b>Waiting for a decision</b> until ${esc(a.expiresAt)}. Approving applies exactly these ${r.totalOps} ops, after checking that the directory and the target still give the same plan (if not, approval is refused and a fresh plan is made). Rejecting applies nothing.${ticks}${form}</div>`;
}

/** One run in detail: counts per op kind and outcome, a blocked plan's deletions and decision, failures in words. */
export function renderRunPage(profile: string, r: RunView, opts: RunPageOptions = {}): string {
  const byKey = new Map((opts.plan?.phases.flat() ?? []).map((op) => [op.key, op]));
  const rows = OP_KINDS.filter((k) => (r.planned[k] ?? 0) > 0)
    .map(
      (k) =>
        `<tr><td>${esc(k)}</td><td class="n">${r.planned[k]}</td>${OUTCOMES.map((o) => `<td class="n">${r.counts[`${k}.${o}`] ?? 0}</td>`).join('')}</tr>`,
    )
    .join('');
  const source = r.source
    ? `<div class="card">source: ${r.source.people} people, ${r.source.groups} groups, ${esc(sourceIssuesText(r.source.issues, r.source.issueWords))}, read in ${esc(seconds(r.source.readMs / 1000))}</div>`
    : '';
  const body = `<h1>Run ${esc(r.runId)} <span class="badge ${esc(r.status)}">${esc(r.status)}</span></h1>
<div class="muted">profile ${esc(profile)} · plan ${esc(r.planId ?? '—')} · ${esc(r.trigger)} / ${esc(r.mode)} · started ${esc(r.startedAt)} · took ${esc(took(r))} · ${r.done} / ${r.totalOps} ops done · ${r.warnings} warnings · <a href="/">back</a> · <a href="?format=json">json</a></div>
${r.blocked ? `<div class="card blocked-plan safety"><b>${esc(r.blocked.code)}</b>: ${esc(r.blocked.reason)}</div>` : ''}${decisionCard(profile, r, opts)}${r.error ? `<div class="card"><b>error</b>: ${esc(r.error)}</div>` : ''}${source}
<h2>Ops</h2><table class="ops"><tr><th>op</th><th class="n">planned</th>${OUTCOMES.map((o) => `<th class="n">${o}</th>`).join('')}</tr>${rows || '<tr><td colspan="6" class="muted">no ops</td></tr>'}</table>
${opts.plan && (r.status === 'blocked' || r.approval) ? deletions(profile, r, opts.plan, opts.page ?? 1) : ''}
${opts.changes ? changesSection(opts.changes) : ''}
<h2>Failures</h2><div class="failures">${failureGroups(r, byKey)}</div>`;
  return page(`run ${r.runId}`, body, r.status === 'running');
}
