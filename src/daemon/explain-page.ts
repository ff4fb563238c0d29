import type { Explanation } from '../app/explain-person.js';
import { esc, page, runHref } from './page-kit.js';

const row = (k: string, v: string) => `<tr><th>${esc(k)}</th><td>${v}</td></tr>`;
const table = (rows: string[]) =>
  `<table class="fixed"><colgroup><col style="width:180px"><col></colgroup>${rows.join('')}</table>`;
const items = (xs: string[], none: string) =>
  xs.length > 0 ? `<ul>${xs.map((x) => `<li>${x}</li>`).join('')}</ul>` : `<div class="muted">${esc(none)}</div>`;
const badge = (ok: boolean, yes: string, no: string) =>
  `<span class="badge ${ok ? 'succeeded' : 'failed'}">${esc(ok ? yes : no)}</span>`;

/** One person step by step (`rostersync explain`) as a page, one section per step: every value escaped. */
export function renderExplanationHtml(x: Explanation): string {
  const { source, scope, mapping, target, plan, history } = x.steps;
  const parts: string[] = [
    `<h1>Explain ${esc(x.email)}</h1>`,
    `<div class="muted">profile ${esc(x.profile)} · target ${esc(x.target.name)} (${esc(x.target.kind)}) · read ${esc(x.at)}</div>`,
  ];
  if (!x.found.directory && !x.found.target)
    parts.push(`<div class="card not-found">Not found in the directory nor the target.</div>`);

  parts.push(
    ...sourceStep(source),
    ...scopeStep(scope),
    ...mappingStep(mapping),
    ...targetStep(target),
    ...planStep(plan),
    ...historyStep(history, x.profile),
  );
  return page(`rostersync: explain ${x.email}`, parts.join('\n'), false);
}

function sourceStep(source: Explanation['steps']['source']): string[] {
  const parts: string[] = [];
  parts.push('<h2>1. Source</h2>');
  if (!source.found) parts.push(`<div class="card source">Not in the directory: ${esc(source.note)}</div>`);
  else
    parts.push(
      table([
        row('id', `<code>${esc(source.sourceId)}</code>`),
        row('email', esc(source.email)),
        row('enabled', badge(source.enabled, 'enabled', 'disabled')),
        ...Object.entries(source.attributes).map(([k, v]) => row(k, esc(v))),
        row('groups', esc(source.directGroups.map((g) => g.name).join(', ') || 'none')),
        row(
          'through nesting',
          items(
            source.inheritedGroups.map(
              (g) => `${esc(g.name)} <span class="muted">via ${esc(g.via.join(' > '))}</span>`,
            ),
            'none',
          ),
        ),
        ...(source.sameEmail.length > 0 ? [row('same email', esc(source.sameEmail.join(', ')))] : []),
      ]),
    );
  return parts;
}

function scopeStep(scope: Explanation['steps']['scope']): string[] {
  const parts: string[] = [];
  parts.push('<h2>2. Scope</h2>');
  parts.push(`<div class="card scope">${badge(scope.inScope, 'in scope', 'not in scope')} ${esc(scope.reason)}</div>`);
  return parts;
}

function mappingStep(mapping: Explanation['steps']['mapping']): string[] {
  const parts: string[] = [];
  parts.push('<h2>3. Mapping</h2>');
  if (mapping.note) parts.push(`<div class="card mapping muted">${esc(mapping.note)}</div>`);
  else
    parts.push(
      table([
        row(
          'containers',
          items(
            mapping.teams.map((t) => `${esc(t.type)} <b>${esc(t.name)}</b>: ${esc(t.reason)}`),
            'none',
          ),
        ),
        row(
          'roles',
          items(
            mapping.roles.map((r) => `<b>${esc(r.role)}</b>${r.scope ? ` in ${esc(r.scope)}` : ''}: ${esc(r.reason)}`),
            'none from a rule (the target default applies)',
          ),
        ),
      ]),
    );
  return parts;
}

function targetStep(target: Explanation['steps']['target']): string[] {
  const parts: string[] = [];
  parts.push('<h2>4. Target now</h2>');
  if (!target.found) parts.push(`<div class="card target muted">${esc(target.note)}</div>`);
  else
    parts.push(
      table([
        row('account', `<code>${esc(target.id)}</code> ${esc(target.email)} (${esc(target.displayName)})`),
        ...(target.status ? [row('status', esc(target.status))] : []),
        ...(target.untouchable ? [row('never changed', esc(target.untouchable))] : []),
        row(
          'member of',
          items(
            target.teams.map((t) => `${esc(t.type)} ${esc(t.name)}`),
            'nothing',
          ),
        ),
        row(
          'roles',
          items(
            target.roles.map((r) => `${esc(r.roles.join(', ') || 'none')}${r.scope ? ` in ${esc(r.scope)}` : ''}`),
            'none',
          ),
        ),
      ]),
    );
  return parts;
}

function planStep(plan: Explanation['steps']['plan']): string[] {
  const parts: string[] = [];
  parts.push(`<h2>5. Plan <code>${esc(plan.planId)}</code></h2>`);
  if (plan.blocked)
    parts.push(
      `<div class="card blocked-plan"><span class="badge blocked">blocked</span> ${esc(plan.blocked.code)}: ${esc(plan.blocked.reason)}</div>`,
    );
  parts.push(
    items(
      plan.ops.map(
        (op) =>
          `<code>${esc(op.kind)}</code> ${op.changes.length === 1 ? esc(op.changes[0]) : items(op.changes.map(esc), '')}`,
      ),
      'nothing to change for this person',
    ),
  );
  for (const w of plan.warnings) parts.push(`<div class="card warning">warning: ${esc(w)}</div>`);
  if (plan.more) parts.push(`<div class="muted">… and ${plan.more} more ops</div>`);
  return parts;
}

function historyStep(history: Explanation['steps']['history'], profile: string): string[] {
  const parts: string[] = [];
  parts.push(`<h2>6. History</h2>`);
  parts.push(`<div class="muted">last ${history.changes.length} changes, ${history.runsSearched} runs searched</div>`);
  if (history.changes.length === 0) parts.push(`<div class="muted">${esc(history.note ?? 'none')}</div>`);
  else
    parts.push(
      `<table class="fixed history"><tr><th>when</th><th>run</th><th>change</th><th>outcome</th></tr>${history.changes
        .map(
          (c) =>
            `<tr><td class="nowrap">${esc(c.at)}</td><td><a href="${esc(runHref(profile, c.runId))}">${esc(c.runId)}</a> <span class="badge ${esc(c.runStatus)}">${esc(c.runStatus)}</span></td><td>${esc(c.text)}</td><td>${esc(c.outcome)}</td></tr>`,
        )
        .join('')}</table>`,
    );
  return parts;
}
