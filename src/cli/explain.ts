import { explainPerson, type Explanation } from '../app/explain-person.js';
import { openRuntime, REDIS_OUTAGE_MS } from '../app/runtime.js';
import { parse, UsageError } from './args.js';
import { EXIT } from './exit-codes.js';
import { chooseLogFormat, LOG_FORMAT_HELP, LOG_FORMAT_OPTION } from './log-format.js';

const HELP = `rostersync explain EMAIL --config FILE [--profile NAME] [--json] [--log-format json|text]

Step by step, what rostersync knows and would do about one person: what the source says of them
(id, enabled, attributes, direct groups and the groups they are in through nesting), whether they
are in scope and why not, the teams, orgs and roles the mapping gives with each rule's reason, what
the target holds for them now, the ops a sync would make for them now, and the last recorded
changes to them (newest run first). Reads the directory, the target and the store; writes nothing.
The email's case does not matter. Someone only in the target is shown from the target's side.
  --json            print the explanation as JSON
${LOG_FORMAT_HELP}
Exit: 0 explained (also when the email is found nowhere: the output says so, and --json has
found.directory and found.target false), 64 usage, 69 source/target/Redis unavailable, 78 bad config.`;

export async function explainCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(
    argv,
    {
      config: { type: 'string', short: 'c' },
      profile: { type: 'string' },
      json: { type: 'boolean' },
      ...LOG_FORMAT_OPTION,
    },
    true,
  );
  if (values.help) {
    process.stdout.write(HELP + '\n');
    return EXIT.ok;
  }
  const email = positionals[0]?.trim();
  if (!email || positionals.length > 1) throw new UsageError('one EMAIL is required\n\n' + HELP);
  if (!values.config) throw new UsageError('--config FILE is required\n\n' + HELP);
  const logFormat = chooseLogFormat(values['log-format'], process.stderr.isTTY);
  const rt = await openRuntime(values.config, {
    logFormat,
    redisOutageMs: REDIS_OUTAGE_MS,
    ...(values.profile ? { profile: values.profile } : {}),
  });
  try {
    const x = await explainPerson(rt, email);
    process.stdout.write((values.json ? JSON.stringify(x, null, 2) : renderExplanationText(x)) + '\n');
    return EXIT.ok;
  } catch (err) {
    throw rt.explain(err);
  } finally {
    await rt.close();
  }
}

const list = (items: string[], none: string) => (items.length > 0 ? items.map((i) => `    ${i}`) : [`    ${none}`]);

/** The explanation as numbered steps, one fact a line. */
export function renderExplanationText(x: Explanation): string {
  const { source, scope, mapping, target, plan, history } = x.steps;
  const out: string[] = [`${x.email} (profile ${x.profile}, target ${x.target.name} (${x.target.kind}), read ${x.at})`];
  if (!x.found.directory && !x.found.target) {
    out.push('', 'Not found in the directory nor the target: nothing to explain.');
    if (history.changes.length === 0) return out.join('\n');
  }

  out.push('', '1. Source');
  if (!source.found) out.push(`    not in the directory: ${source.note}`);
  else {
    out.push(`    id          ${source.sourceId}`);
    out.push(`    email       ${source.email}`);
    out.push(`    enabled     ${source.enabled ? 'yes' : 'no'}`);
    for (const [k, v] of Object.entries(source.attributes)) out.push(`    ${k.padEnd(11)} ${v}`);
    out.push(`    groups      ${source.directGroups.map((g) => g.name).join(', ') || 'none'}`);
    out.push(
      `    inherited   ${source.inheritedGroups.map((g) => `${g.name} (via ${g.via.join(' > ')})`).join(', ') || 'none'}`,
    );
    if (source.sameEmail.length > 0) out.push(`    also with this email: ${source.sameEmail.join(', ')}`);
  }

  out.push('', '2. Scope');
  out.push(`    ${scope.inScope ? 'IN SCOPE' : 'NOT IN SCOPE'}: ${scope.reason}`);

  out.push('', '3. Mapping');
  if (mapping.note) out.push(`    ${mapping.note}`);
  else {
    out.push('    containers:');
    out.push(
      ...list(
        mapping.teams.map((t) => `  ${t.type} "${t.name}": ${t.reason}`),
        '  none',
      ),
    );
    out.push('    roles:');
    out.push(
      ...list(
        mapping.roles.map((r) => `  ${r.role}${r.scope ? ` in "${r.scope}"` : ''}: ${r.reason}`),
        '  none from a rule (the target default applies)',
      ),
    );
  }

  out.push('', '4. Target now');
  if (!target.found) out.push(`    ${target.note}`);
  else {
    out.push(`    account     ${target.id} (${target.email}${target.displayName ? `, ${target.displayName}` : ''})`);
    if (target.status) out.push(`    status      ${target.status}`);
    if (target.untouchable) out.push(`    never changed by a sync: ${target.untouchable}`);
    out.push(
      `    member of   ${target.teams.map((t) => `${t.type === 'team' ? '' : `${t.type} `}"${t.name}"`).join(', ') || 'nothing'}`,
    );
    for (const r of target.roles)
      out.push(`    roles       ${r.roles.join(', ') || 'none'}${r.scope ? ` in "${r.scope}"` : ''}`);
  }

  out.push(
    '',
    `5. Plan ${plan.planId}${plan.blocked ? ` (BLOCKED by ${plan.blocked.code}: ${plan.blocked.reason})` : ''}`,
  );
  if (plan.ops.length === 0) out.push('    nothing to change for this person');
  for (const w of plan.warnings) out.push(`    warning: ${w}`);
  for (const op of plan.ops) {
    out.push(`    ${op.kind} ${op.key}`);
    for (const c of op.changes) out.push(`      ${c}`);
  }
  if (plan.more) out.push(`    … and ${plan.more} more ops`);

  out.push('', `6. History (last ${history.changes.length} changes, ${history.runsSearched} runs searched)`);
  if (history.note) out.push(`    ${history.note}`);
  for (const c of history.changes) out.push(`    ${c.at}  ${c.runId} (${c.runStatus})  ${c.text}`);
  return out.join('\n');
}
