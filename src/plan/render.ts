import {
  OP_KINDS,
  OUT_OF_SCOPE,
  RESOURCE_TYPE_WORDS,
  type IssueWords,
  type Op,
  type OutOfScope,
  type Plan,
  type ResourceRef,
  type TeamRef,
} from '../model/index.js';

export interface RenderOptions {
  /** How many ops to list. @defaultValue 20 */
  limit?: number;
}

/** The plan as a reviewer reads it: counts, the first ops with reasons, warnings, estimate, verdict. */
export function renderPlanText(plan: Plan, opts: RenderOptions = {}): string {
  const limit = opts.limit ?? 20;
  const ops = plan.phases.flat();
  const lines: string[] = [];
  lines.push(`Plan ${plan.id}  (${plan.createdAt})`);
  lines.push(`  directory: ${directoryLine(plan.stats)}`);
  lines.push(`  target:    ${targetLine(plan.stats)}`);
  lines.push('');
  lines.push('Changes');
  const width = Math.max(...OP_KINDS.map((k) => k.length));
  for (const kind of OP_KINDS) lines.push(`  ${kind.padEnd(width)}  ${String(plan.counts[kind]).padStart(7)}`);
  lines.push(`  ${'total'.padEnd(width)}  ${String(ops.length).padStart(7)}`);
  if (ops.length > 0) {
    lines.push('');
    lines.push(ops.length > limit ? `First ${limit} of ${ops.length} ops` : 'Ops');
    for (const op of ops.slice(0, limit)) lines.push(`  ${describeOp(op)}  -- ${op.reason}`);
  }
  if (plan.warnings.length > 0) {
    lines.push('');
    lines.push(`Warnings (${plan.warnings.length})`);
    for (const w of plan.warnings.slice(0, limit)) lines.push(`  ! ${w}`);
    if (plan.warnings.length > limit) lines.push(`  … ${plan.warnings.length - limit} more (see --json)`);
  }
  lines.push('');
  const e = plan.estimate;
  lines.push(
    e.ratePerSecond > 0
      ? `Estimate: ${e.writes} write calls + ${e.reads} reads at ${e.ratePerSecond.toFixed(2)} calls/s: about ${formatDuration(e.etaSeconds)}`
      : `Estimate: ${e.writes} write calls + ${e.reads} reads; the target has no rate limit configured`,
  );
  lines.push(
    plan.blocked
      ? `BLOCKED (${plan.blocked.code}): ${plan.blocked.reason}`
      : ops.length === 0
        ? 'Nothing to do: the target matches the directory.'
        : 'Ready to apply.',
  );
  return lines.join('\n');
}

const OUT_OF_SCOPE_WORDS: Record<OutOfScope, string> = {
  disabled: 'disabled',
  locked: 'locked',
  excluded: 'excluded by mapping.people.exclude',
  otherDomain: 'outside mapping.people.emailDomains',
  noGroup: 'no mapped group',
  noEmail: 'no usable email',
  duplicateEmail: 'duplicate email',
  filtered: 'filtered out by mapping.people.where',
  notStarted: 'start date not reached',
  ended: 'end date passed',
};

const count = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** What a source without words of its own calls the issues of a read. */
export const ISSUE_WORDS: IssueWords = { one: 'entry with problems', many: 'entries with problems' };

/** The issues of a read in the source's words: `2 rows skipped` (a file), `1 entry with problems` (a directory). */
export function sourceIssuesText(issues: number, words: IssueWords = ISSUE_WORDS): string {
  return `${issues} ${issues === 1 ? words.one : words.many}`;
}

/** `835 people read (2 rows skipped), 819 in scope (12 disabled, 3 locked, 1 no mapped group), 40 teams`. */
function directoryLine(stats: Plan['stats']): string {
  const { peopleRead, outOfScope = {}, source } = stats;
  const teams = count(stats.desiredTeams, 'team');
  // Plans made before the read was counted say what they knew.
  if (peopleRead === undefined) return `${stats.desiredPeople} people in scope, ${teams}`;
  const issues = source && source.issues > 0 ? ` (${sourceIssuesText(source.issues, source.words)})` : '';
  const why = OUT_OF_SCOPE.filter((r) => (outOfScope[r] ?? 0) > 0).map(
    (r) => `${outOfScope[r]} ${OUT_OF_SCOPE_WORDS[r]}`,
  );
  return `${peopleRead} people read${issues}, ${stats.desiredPeople} in scope${why.length > 0 ? ` (${why.join(', ')})` : ''}, ${teams}${joinText(source)}`;
}

/** A joined read: `; sources hr 840, ad 1,020: 812 joined, 28 not in a required source`. */
function joinText(source: Plan['stats']['source']): string {
  if (!source?.sources || !source.join) return '';
  const j = source.join;
  const left = [
    ...(j.notInRequired > 0 ? [`${j.notInRequired} not in a required source`] : []),
    ...(j.conflicts > 0 ? [`${j.conflicts} in a join-key conflict`] : []),
  ];
  return `\n             sources ${source.sources.map((s) => `${s.name} ${s.people}`).join(', ')}: ${j.joined} joined${left.length > 0 ? `, ${left.join(', ')}` : ''}`;
}

/** `3 users managed (1 never touched: <the target's reason>), 4 teams and 1 org managed`: never the target's totals. */
function targetLine(stats: Plan['stats']): string {
  const users = `${count(stats.usersInScope, 'user')} managed`;
  if (stats.neverTouched === undefined || stats.teamsManaged === undefined)
    return `${count(stats.targetUsers, 'user')} (${stats.usersInScope} managed), ${count(stats.targetTeams, 'team')}`;
  const untouched = Object.entries(stats.neverTouched).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const total = untouched.reduce((n, [, k]) => n + k, 0);
  const never =
    total === 0
      ? ''
      : untouched.length === 1
        ? ` (${total} never touched: ${untouched[0]![0]})`
        : ` (${total} never touched: ${untouched.map(([why, n]) => `${n} ${why}`).join(', ')})`;
  const orgs = stats.orgsManaged ? ` and ${count(stats.orgsManaged, 'org')}` : '';
  return `${users}${never}, ${count(stats.teamsManaged, 'team')}${orgs} managed`;
}

/** `dashboard "Pipeline"`: how a plan and an audit name a resource. */
export const resourceWords = (r: ResourceRef): string => `${RESOURCE_TYPE_WORDS[r.type].one} "${r.title}"`;

export function describeOp(op: Op): string {
  const where = (t: TeamRef) =>
    `${t.type === 'org' ? 'org ' : ''}"${t.parent ? `${t.parent.name} / ` : ''}${t.under ? `${t.under.name} / ` : ''}${t.name}"`;
  switch (op.kind) {
    case 'createTeam':
      return `create ${op.team.type === 'ou' ? 'unit' : 'team'} ${where(op.team)}`;
    case 'renameTeam':
      return `rename team ${op.team.id} "${op.from}" -> "${op.team.name}"`;
    case 'createUser':
      if (op.teams || op.roles)
        return `create user ${op.user.email} in ${op.teams?.map(where).join(', ') || 'no unit'} with roles ${op.roles?.join(', ') || 'none'}`;
      return `create user ${op.user.email}${op.team ? ` on ${where(op.team)}` : ''}${op.role ? ` as ${op.role}` : ''}`;
    case 'addMember':
      return `add ${op.user.email} to ${where(op.team)}${op.role ? ` as ${op.role}` : ''}`;
    case 'removeMember':
      return `remove ${op.user.email} from ${where(op.team)}`;
    case 'setMembers':
      return `set the members of team ${where(op.team)}: ${op.members.length} (+${op.added} -${op.removed})`;
    case 'setRole':
      return `change role of ${op.user.email}${op.team ? ` in ${where(op.team)}` : ''}: ${op.from.join(', ') || 'none'} -> ${op.to.join(', ')}`;
    case 'setUser': {
      const parts = [
        ...(op.email !== undefined ? [`email -> ${op.email}`] : []),
        ...(op.teams ? [`units ${op.teams.map(where).join(', ') || 'none'} (+${op.added} -${op.removed})`] : []),
        ...(op.roles ? [`roles ${op.from?.join(', ') || 'none'} -> ${op.roles.join(', ') || 'none'}`] : []),
        ...(op.givenName !== undefined || op.familyName !== undefined
          ? [`name "${[op.givenName, op.familyName].filter((n) => n).join(' ')}"`]
          : []),
      ];
      return `set user ${op.user.email}: ${parts.join('; ')}`;
    }
    case 'deleteUser':
      return `delete user ${op.user.email}`;
    case 'enableUser':
      return `enable user ${op.user.email}${op.role ? ` as ${op.role}` : ''}`;
    case 'disableUser':
      return `disable user ${op.user.email}`;
    case 'deleteTeam':
      return `delete team ${where(op.team)}`;
    case 'setGrant':
      return `${where(op.team)}: ${op.from ? `${op.from} -> ` : ''}${op.level} on ${resourceWords(op.resource)}`;
    case 'removeGrant':
      return `${where(op.team)}: remove ${op.level} on ${resourceWords(op.resource)}`;
    case 'setGrants': {
      const teams = op.teams.map((t) => `${where(t.team)} ${t.level}`).join(', ') || 'no managed team';
      return `set the permissions of ${resourceWords(op.resource)}: ${teams} (+${op.kept.length} kept as they are)`;
    }
  }
}

export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${Math.round(seconds)} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
  return `${Math.floor(seconds / 3600)} h ${Math.round((seconds % 3600) / 60)} min`;
}
