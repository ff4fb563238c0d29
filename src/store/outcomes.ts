import { describeOp } from '../plan/render.js';
import type { Redis } from 'ioredis';
import { phaseOf, type Op, type TeamRef } from '../model/index.js';
import { changesOf } from '../plan/changes.js';
import { maskUrlsOnly, type Scrub } from '../log/scrub-secrets.js';
import type { AuditEntry, AuditOutcome } from '../audit/audit-event.js';
import type { ProfileKeys } from './keys.js';
import type { OpOutcomeKind } from './run-record.js';

export interface OutcomeInput {
  op: Op;
  outcome: OpOutcomeKind;
  detail?: string;
  /** Id the op created or found (user or team). */
  createdId?: string;
  /** Resolved ids, for memberships the sync granted or removed. */
  userId?: string;
  teamId?: string;
  /** Whole-user writes: the container ids the user now has (for grants). */
  teamIds?: string[];
  /** Whole-list writes: the new members left out (their account op did not succeed). */
  leftOut?: string[];
}

/**
 * One op's outcome, its counters and its link effects in one script: a crash can never leave an
 * outcome without its counts (the phase would then never drain) or counts without an outcome.
 * The op's audit entries (one per change) are appended with the first outcome only, so the audit
 * holds each change once however often a job runs.
 * KEYS: outcomes, counts, failures, audit, then the keys effects may touch (see EFFECT_KEYS).
 * ARGV: opKey, outcome JSON, `kind.outcome`, `phase.N`, failure JSON or '', the number n of audit
 * entries, the n entries, then effects as (command, key index, field, value) quadruples.
 */
const RECORD = `
local first = redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2])
local n = tonumber(ARGV[6])
if first == 1 then
  redis.call('HINCRBY', KEYS[2], ARGV[3], 1)
  redis.call('HINCRBY', KEYS[2], 'done', 1)
  redis.call('HINCRBY', KEYS[2], ARGV[4], 1)
  if ARGV[5] ~= '' then redis.call('RPUSH', KEYS[3], ARGV[5]) end
  for i = 7, 6 + n, 500 do
    redis.call('RPUSH', KEYS[4], unpack(ARGV, i, math.min(i + 499, 6 + n)))
  end
end
for i = 7 + n, #ARGV, 4 do
  local cmd, key, field, value = ARGV[i], KEYS[tonumber(ARGV[i + 1])], ARGV[i + 2], ARGV[i + 3]
  if cmd == 'HSET' then redis.call('HSET', key, field, value)
  elseif cmd == 'HDEL' then redis.call('HDEL', key, field)
  elseif cmd == 'SADD' then redis.call('SADD', key, field)
  elseif cmd == 'SREM' then redis.call('SREM', key, field) end
end
return first
`;

type Effect = ['HSET' | 'HDEL' | 'SADD' | 'SREM', EffectKey, string, string?];
type EffectKey = 'teamLinks' | 'userLinks' | 'granted' | 'tombstones' | 'created';
const EFFECT_KEYS: EffectKey[] = ['teamLinks', 'userLinks', 'granted', 'tombstones', 'created'];

type OutcomeRedis = Redis & { rostersyncRecordOutcome(numKeys: number, ...args: string[]): Promise<number> };

/** Per-run op outcomes: the truth for progress, resume and the run's counts. The first outcome of an op wins. */
export class OutcomeStore {
  private readonly redis: OutcomeRedis;

  constructor(
    redis: Redis,
    private readonly keys: ProfileKeys,
    /** Failure details come from APIs: a secret a target echoes back is blanked before it is stored. */
    private readonly scrub: Scrub = maskUrlsOnly,
  ) {
    if (!('rostersyncRecordOutcome' in redis)) redis.defineCommand('rostersyncRecordOutcome', { lua: RECORD });
    this.redis = redis as OutcomeRedis;
  }

  /** Records an op's outcome and its identity-link effects; false when the op already had one (not counted twice). */
  async record(runId: string, input: OutcomeInput): Promise<boolean> {
    const o = input.detail ? { ...input, detail: this.scrub(input.detail) } : input;
    const r = this.keys.run(runId);
    const keyOf = (k: EffectKey) => (k === 'created' ? r.created : this.keys[k]);
    const keys = [r.outcomes, r.counts, r.failures, r.audit, ...EFFECT_KEYS.map(keyOf)];
    const failed = o.outcome === 'failed' || o.outcome === 'skipped-dependency';
    const audit = auditEntries(o).map((e) => JSON.stringify(e));
    const args = [
      o.op.key,
      JSON.stringify({ outcome: o.outcome, ...(o.detail ? { detail: o.detail } : {}) }),
      `${o.op.kind}.${o.outcome}`,
      `phase.${phaseOf(o.op.kind)}`,
      // The op in words goes with it, so a page of failures never needs the run's whole plan.
      failed ? JSON.stringify({ opKey: o.op.key, what: describeOp(o.op), reason: o.detail ?? o.outcome }) : '',
      String(audit.length),
      ...audit,
    ];
    for (const [cmd, key, field, value] of failed ? [] : linkEffects(o))
      args.push(cmd, String(5 + EFFECT_KEYS.indexOf(key)), field, value ?? '');
    return (await this.redis.rostersyncRecordOutcome(keys.length, ...keys, ...args)) === 1;
  }

  async phaseDone(runId: string, phase: number): Promise<number> {
    return Number((await this.redis.hget(this.keys.run(runId).counts, `phase.${phase}`)) ?? 0);
  }

  async outcomes(runId: string, opKeys: string[]): Promise<(OpOutcomeKind | undefined)[]> {
    if (opKeys.length === 0) return [];
    const raw = await this.redis.hmget(this.keys.run(runId).outcomes, ...opKeys);
    return raw.map((v) => (v ? (JSON.parse(v) as { outcome: OpOutcomeKind }).outcome : undefined));
  }

  /** Keys of the ops of a run that have an outcome. */
  async doneKeys(runId: string): Promise<Set<string>> {
    return new Set(await this.redis.hkeys(this.keys.run(runId).outcomes));
  }

  async createdTeamId(runId: string, team: TeamRef): Promise<string | undefined> {
    return (await this.redis.hget(this.keys.run(runId).created, createdTeamField(team))) ?? undefined;
  }

  async createdUserId(runId: string, sourceId: string): Promise<string | undefined> {
    return (await this.redis.hget(this.keys.run(runId).created, `user:${sourceId}`)) ?? undefined;
  }
}

const AUDIT_OUTCOME: Record<OpOutcomeKind, AuditOutcome> = {
  applied: 'applied',
  'already-done': 'already-done',
  deferred: 'deferred',
  failed: 'failed',
  'skipped-dependency': 'skipped',
};

/**
 * The op's changes as audit entries, each with the op's outcome; a member a whole list left out
 * (no account) is `skipped` with that reason, the list's other changes keep the list's outcome.
 */
function auditEntries(o: OutcomeInput): AuditEntry[] {
  const at = new Date().toISOString();
  const leftOut = new Set(o.leftOut ?? []);
  return changesOf(o.op).map((c) => {
    const missed = c.action === 'membership.add' && c.person !== undefined && leftOut.has(c.person);
    const outcome = missed ? 'skipped' : AUDIT_OUTCOME[o.outcome];
    const detail = missed ? 'left out of the list: the account was not created' : o.detail;
    return { at, opKey: o.op.key, ...c, outcome, ...(detail ? { detail } : {}) };
  });
}

/** What a successful op changes in the links: new ids, memberships the sync granted, users gone. */
function linkEffects(o: OutcomeInput): Effect[] {
  const op = o.op;
  switch (op.kind) {
    case 'createTeam':
      return o.createdId
        ? [
            ['HSET', 'teamLinks', op.teamKey, o.createdId],
            ['HSET', 'created', createdTeamField(op.team), o.createdId],
          ]
        : [];
    case 'renameTeam':
      return [['HSET', 'teamLinks', op.teamKey, op.team.id]];
    case 'createUser': {
      if (!o.createdId) return [];
      const out: Effect[] = [];
      if (op.user.sourceId)
        out.push(
          ['HSET', 'userLinks', op.user.sourceId, o.createdId],
          ['HSET', 'created', `user:${op.user.sourceId}`, o.createdId],
        );
      if (o.teamId) out.push(['SADD', 'granted', `${o.createdId}|${o.teamId}`]);
      // Created with its whole list: each container it was placed in was granted by the sync.
      for (const id of o.teamIds ?? []) out.push(['SADD', 'granted', `${o.createdId}|${id}`]);
      return out;
    }
    case 'setUser': {
      // The user's whole list is now what the op carried: grants follow it (ids resolved at apply time).
      return [
        ...(o.teamIds ?? []).map((id) => ['SADD', 'granted', `${op.user.id}|${id}`] as Effect),
        ...(op.left ?? []).map((id) => ['SREM', 'granted', `${op.user.id}|${id}`] as Effect),
      ];
    }
    case 'addMember':
      return o.userId && o.teamId ? [['SADD', 'granted', `${o.userId}|${o.teamId}`]] : [];
    case 'removeMember':
      return [['SREM', 'granted', `${op.user.id}|${op.team.id}`]];
    case 'deleteUser':
      return [
        ['HDEL', 'tombstones', op.user.id],
        ...(op.user.sourceId ? [['HDEL', 'userLinks', op.user.sourceId] as Effect] : []),
      ];
    case 'setMembers':
      // The whole list is now the team: grants follow it.
      return o.teamId
        ? op.members.filter((m) => m.id).map((m) => ['SADD', 'granted', `${m.id}|${o.teamId}`] as Effect)
        : [];
    // A disabled account keeps its identity link (and its tombstone): a returning person is enabled, not invited again.
    case 'disableUser':
    case 'enableUser':
    case 'setRole':
    case 'deleteTeam':
    case 'setGrant':
    case 'removeGrant':
    case 'setGrants':
      return [];
  }
}

/** A container created in a run, by org and name (two orgs may each create a team of one name). */
function createdTeamField(team: TeamRef): string {
  // A unit is told apart by its parent unit's key: two branches may each hold a unit of one name.
  const scope = team.parent ? `${team.parent.id}/` : team.under ? `under:${team.under.key}/` : '';
  return `team:${scope}${team.name.toLowerCase()}`;
}
