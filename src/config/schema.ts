import { z } from 'zod';
import { accessListSchema } from './access-schema.js';
import { validate as isCron } from 'node-cron';
import { checkAttributeRule, checkListEntry, checkRule } from '../mapping/patterns.js';
import { attributesUsed } from '../mapping/attribute-uses.js';
import { duration } from './duration.js';
import {
  joinedSource,
  joinedSourcesSchema,
  precedenceSchema,
  sourceSchema,
  type ProfileSourceConfig,
} from '../sources/registry.js';
import { targetSchema } from '../targets/registry.js';
import { redisSchema } from './redis-schema.js';

export { duration, parseDuration } from './duration.js';

/** Sources, like targets, are one discriminated union keyed by `kind`, built by their registry. */
export { sourceSchema };

const groupPattern = z.string().superRefine((v, ctx) => {
  const problem = checkListEntry(v);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

/** A bind address only this machine reaches: the pages may be open there without a token. */
const isLoopbackHost = (host: string) =>
  /^(localhost|127(\.\d{1,3}){3}|::1|\[::1\]|::ffff:127(\.\d{1,3}){3})$/i.test(host);

const cron = z.string().refine((v) => isCron(v), 'expected a cron expression (5 or 6 fields), e.g. "*/15 * * * *"');

const regexProblem = (source: string, flags = ''): string | undefined => {
  try {
    new RegExp(source, flags);
    return undefined;
  } catch (err) {
    return `not a valid regular expression: ${(err as Error).message.replace(/^Invalid regular expression: /, '')}`;
  }
};

const CONDITION_OPS = ['equals', 'notEquals', 'in', 'notIn', 'matches', 'present', 'absent', 'date'] as const;

/**
 * One condition on a person (docs/mapping.md): an attribute compared (text ignores case; a
 * multi-valued attribute meets equals/in/matches when any value does), present or absent, a date
 * reached or not passed; or membership of a group (through nesting).
 */
export const conditionSchema = z
  .object({
    attribute: z.string().min(1).optional().describe('An attribute the source reads (source.attributes).'),
    memberOf: z.string().min(1).optional().describe('A group, by name or sourceId: members through nesting too.'),
    equals: z.string().optional(),
    notEquals: z.string().optional(),
    in: z.array(z.string()).min(1).optional(),
    notIn: z.array(z.string()).min(1).optional(),
    matches: z.string().optional().describe('A regular expression tested against each value.'),
    flags: z
      .string()
      .regex(/^[imsu]*$/)
      .optional(),
    present: z.literal(true).optional(),
    absent: z.literal(true).optional(),
    date: z
      .enum(['reached', 'notPassed'])
      .optional()
      .describe(
        "reached: a start date on or before today (in the profile's schedule.timezone); notPassed: no end date, or one on or after today.",
      ),
  })
  .strict()
  .superRefine((c, ctx) => {
    if ((c.attribute === undefined) === (c.memberOf === undefined))
      return ctx.addIssue({ code: 'custom', message: 'set exactly one of attribute or memberOf' });
    const ops = CONDITION_OPS.filter((k) => c[k] !== undefined);
    if (c.memberOf !== undefined && ops.length > 0)
      ctx.addIssue({ code: 'custom', path: [ops[0]!], message: 'memberOf takes no comparison' });
    if (c.attribute !== undefined && ops.length !== 1)
      ctx.addIssue({
        code: 'custom',
        message: `set exactly one of ${CONDITION_OPS.join(', ')} for attribute ${c.attribute}${ops.length > 1 ? ` (found ${ops.join(', ')})` : ''}`,
      });
    if (c.matches !== undefined) {
      const problem = regexProblem(c.matches, c.flags);
      if (problem) ctx.addIssue({ code: 'custom', path: ['matches'], message: problem });
    }
  });

export type Condition = z.infer<typeof conditionSchema>;

const conditionList = z.array(conditionSchema).min(1);

const ruleMatch = z
  .string()
  .optional()
  .describe('Regular expression tested against the group name (or, with attribute, against each value).');

export const mappingSchema = z
  .object({
    groups: z.record(z.string(), z.string()).default({}).describe('Explicit map: group name or sourceId -> team name.'),
    rules: z
      .array(
        z
          .object({
            match: ruleMatch,
            attribute: z
              .string()
              .min(1)
              .optional()
              .describe('A team per value of this attribute (source.attributes); ${value} in team inserts the value.'),
            where: conditionList.optional().describe('Conditions a person must meet (all of them) to get the team.'),
            team: z
              .string()
              .describe(
                'Team name template: $1 / ${1} / ${name} insert captures; ${value} and ${<attribute>} on attribute rules.',
              ),
            flags: z
              .string()
              .regex(/^[imsu]*$/)
              .default(''),
            org: z
              .string()
              .min(1)
              .optional()
              .describe("Org the team lives in, on targets with orgs (default: the target's org)."),
          })
          .strict()
          .superRefine((r, ctx) => {
            // Caught at load time with the rule's line, not halfway through a run.
            if (r.attribute !== undefined) {
              const problem = checkAttributeRule(r.match ?? '', r.flags, r.team);
              if (problem)
                ctx.addIssue({
                  code: 'custom',
                  path: [problem.startsWith('team') ? 'team' : 'match'],
                  message: problem,
                });
            } else if (r.match !== undefined) {
              if (r.where !== undefined)
                ctx.addIssue({
                  code: 'custom',
                  path: ['where'],
                  message: 'a group rule (match) takes no where: use a rule with where and memberOf',
                });
              const problem = checkRule(r.match, r.flags, r.team);
              if (problem)
                ctx.addIssue({
                  code: 'custom',
                  path: [problem.startsWith('team') ? 'team' : 'match'],
                  message: problem,
                });
            } else if (r.where === undefined)
              ctx.addIssue({ code: 'custom', message: 'set match (group names), attribute, or where' });
          }),
      )
      .default([]),
    include: z.array(groupPattern).default([]).describe('If set, only these groups (names, or /regex/) are mapped.'),
    exclude: z.array(groupPattern).default([]).describe('Groups (names, or /regex/) never mapped.'),
    defaultTeam: z.string().optional().describe('Team for in-scope people with no mapped group.'),
    roles: z
      .array(
        z
          .object({
            group: z.string().min(1).optional().describe('Group name or sourceId.'),
            match: ruleMatch,
            attribute: z
              .string()
              .min(1)
              .optional()
              .describe('The role for people with a value of this attribute (that match matches, when set).'),
            where: conditionList.optional().describe('Conditions a person must meet (all of them) to get the role.'),
            flags: z
              .string()
              .regex(/^[imsu]*$/)
              .default(''),
            role: z.string().min(1).describe('A role name of the target (e.g. Viewer, Editor, Admin).'),
            org: z
              .string()
              .min(1)
              .optional()
              .describe(
                "On targets with orgs: the org the role applies in (default: the target's org). Members join that org.",
              ),
          })
          .strict()
          .superRefine((r, ctx) => {
            const byAttribute = r.attribute !== undefined;
            if (byAttribute ? r.group !== undefined : (r.group === undefined) === (r.match === undefined) && !r.where)
              ctx.addIssue({
                code: 'custom',
                message: byAttribute
                  ? 'an attribute rule names no group (use where with memberOf)'
                  : 'set exactly one of group or match, or attribute, or where',
              });
            if (!byAttribute && r.where !== undefined && (r.group !== undefined || r.match !== undefined))
              ctx.addIssue({
                code: 'custom',
                path: ['where'],
                message: 'a group rule takes no where: use where with memberOf',
              });
            if (r.match !== undefined) {
              const problem = regexProblem(r.match, r.flags);
              if (problem) ctx.addIssue({ code: 'custom', path: ['match'], message: problem });
            }
          }),
      )
      .default([])
      .describe(
        'Group -> role rules. Members of the group (directly or through nesting) get the role; on a one-role target the highest wins.',
      ),
    defaultRole: z
      .string()
      .min(1)
      .optional()
      .describe(
        'Role for people in scope whom no role rule names (people come into scope through a team or a role rule).',
      ),
    people: z
      .object({
        includeDisabled: z.boolean().default(false),
        emailDomains: z
          .array(z.string())
          .default([])
          .describe('If set, only people whose email is in one of these domains.'),
        exclude: z.array(z.string()).default([]).describe('Emails never synced.'),
        where: z
          .array(conditionSchema)
          .default([])
          .describe(
            'Scoping filter: only people meeting every condition are synced; the rest are out of scope (deprovisioned per policy).',
          ),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export const policySchema = z
  .object({
    membership: z.enum(['authoritative', 'additive']).default('authoritative'),
    access: z
      .enum(['authoritative', 'additive'])
      .default('authoritative')
      .describe(
        "Managed teams' grants on the resources access rules reach: authoritative removes or narrows what no rule declares; additive only adds or raises.",
      ),
    maxGrantRemovals: z
      .number()
      .int()
      .min(0)
      .default(25)
      .describe('Grants of managed teams that may be removed in one run before it waits for approval.'),
    deprovision: z
      .enum(['none', 'remove-from-managed-teams', 'disable-user', 'delete-user'])
      .default('remove-from-managed-teams')
      .describe(
        'What happens to a user no longer in the directory. disable-user keeps the account, disabled (targets that can); on a target without teams remove-from-managed-teams disables too.',
      ),
    deprovisionAfter: duration
      .default(0)
      .describe('Grace period: how long a person must be absent before deprovisioning.'),
    maxDeletes: z.number().int().min(0).default(25),
    maxDeletePercent: z.number().min(0).max(100).default(10),
    maxRoleLosses: z
      .number()
      .int()
      .min(0)
      .default(2)
      .describe("People who may lose the target's highest role (e.g. Admin) in one run before it waits for approval."),
    maxRoleLossPercent: z
      .number()
      .min(0)
      .max(100)
      .default(10)
      .describe('The same as a share of the users in scope: over either, the run waits for approval.'),
    maxRemovals: z
      .number()
      .int()
      .min(0)
      .default(500)
      .describe('Memberships that may be removed from managed teams in one run before it waits for approval.'),
    maxTeamShrinkPercent: z
      .number()
      .min(0)
      .max(100)
      .default(50)
      .describe(
        'A team of at least teamShrinkMinMembers losing more than this share of its members waits for approval.',
      ),
    teamShrinkMinMembers: z
      .number()
      .int()
      .min(1)
      .default(10)
      .describe('Teams smaller than this are not held to maxTeamShrinkPercent (small teams change by halves).'),
    minSourceRatio: z
      .number()
      .min(0)
      .max(1)
      .default(0.5)
      .describe('A directory smaller than this share of the last good read deletes nobody.'),
    roles: z
      .enum(['authoritative', 'additive', 'on-create'])
      .default('authoritative')
      .describe(
        'authoritative: roles follow the rules; additive: only ever raised; on-create: set when a user is created or joins an org, then left alone.',
      ),
    prune: z
      .boolean()
      .default(false)
      .describe('Delete the teams the sync manages whose group is gone (without it they are emptied).'),
    emailChange: z
      .enum(['recreate', 'keep'])
      .default('recreate')
      .describe(
        "A linked person's email changed, on a target that cannot change an email: recreate gives the new address an account with the person's teams and roles and deprovisions the old one per `deprovision`; keep reports it and keeps the old account.",
      ),
    deleteOwners: z.boolean().default(false),
    protectedUsers: z.array(z.string()).default([]).describe('Emails never touched.'),
    protectedTeams: z.array(z.string()).default([]).describe('Team names never touched.'),
  })
  .strict()
  .prefault({});

export { targetSchema };

export const NOTIFY_EVENTS = ['blocked', 'failed', 'partial', 'recovered'] as const;

export const webhookSchema = z
  .object({
    kind: z
      .enum(['slack', 'json'])
      .describe(
        'slack: {"text": …} for Slack-compatible incoming webhooks (also Mattermost, Rocket.Chat); json: the event as a JSON object.',
      ),
    url: z.string().url().describe('Webhook URL; it is a secret (use ${ENV}) and never logged.'),
    on: z
      .array(z.enum(NOTIFY_EVENTS))
      .default([...NOTIFY_EVENTS])
      .describe('Which changes of state are sent.'),
    attempts: z
      .number()
      .int()
      .min(1)
      .max(10)
      .default(3)
      .describe('Tries per message on a network error, 429 or 5xx, with backoff.'),
    timeoutMs: z
      .number()
      .int()
      .positive()
      .max(30_000)
      .default(5000)
      .describe('Per try: a receiver that has not answered by then counts as a failed try.'),
    deadlineMs: z
      .number()
      .int()
      .min(1000)
      .max(300_000)
      .default(30_000)
      .describe(
        'All tries of one message together (backoff and Retry-After included): past it the message is abandoned with a warning.',
      ),
  })
  .strict();

export const auditSchema = z
  .object({
    stdout: z
      .boolean()
      .default(true)
      .describe(
        'One log line per change, named rostersync.audit: on stdout for `run` (its logs are on stderr), among the logs for one-shot commands.',
      ),
    file: z
      .object({
        path: z.string().min(1).describe('A JSON Lines file, one event per line.'),
        maxBytes: z
          .number()
          .int()
          .min(1024)
          .default(10 * 1024 * 1024)
          .describe('Rolled over to <path>.1 once a write would pass this size.'),
        keep: z.number().int().min(1).max(100).default(5).describe('Rolled-over files kept (<path>.1 … .N).'),
      })
      .strict()
      .optional(),
    webhook: webhookSchema
      .omit({ kind: true, on: true })
      .extend({
        batchSize: z.number().int().min(1).max(1000).default(100).describe('Events per POST.'),
      })
      .strict()
      .optional()
      .describe('POSTs {"schema": "rostersync.audit/1", "events": […]} in batches, apart from the run.'),
  })
  .strict();

export const profileSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/i, 'letters, digits, - and _ only'),
    source: sourceSchema.optional().describe('The directory this profile reads (or several: sources).'),
    sources: joinedSourcesSchema
      .optional()
      .describe(
        'Several sources joined into one directory (docs/sources-joined.md): each with a name, joinOn and required.',
      ),
    precedence: precedenceSchema.describe(
      'With sources: which source decides enabled, names, each attribute, and whose groups count.',
    ),
    target: z
      .string()
      .min(1)
      .optional()
      .describe('Name of the target in `targets` (default: the only one, or `target`).'),
    mapping: mappingSchema.prefault({}),
    access: accessListSchema,
    schedule: z
      .object({
        incremental: cron.optional().describe('Cron expression (5 or 6 fields).'),
        full: cron.optional(),
        timezone: z
          .string()
          .refine(isTimeZone, 'expected an IANA time zone such as UTC or Europe/Berlin')
          .default('UTC'),
      })
      .strict()
      .optional(),
  })
  .strict()
  .superRefine((p, ctx) => {
    if ((p.source === undefined) === (p.sources === undefined))
      return ctx.addIssue({
        code: 'custom',
        path: ['source'],
        message: 'set source (one directory) or sources (several joined), not both',
      });
    if (p.sources) checkJoin(p.sources, p.precedence, ctx);
    // A rule on an attribute the source does not read would see nobody have it: said at load time.
    const read = attributesRead(p);
    for (const use of attributesUsed(p.mapping))
      if (!read.has(use.attribute))
        ctx.addIssue({
          code: 'custom',
          path: use.path,
          message: `attribute "${use.attribute}" is not read by the source: add it to source.attributes (profiles[].source.attributes)${read.size > 0 ? `; it reads ${[...read].join(', ')}` : ''}`,
        });
  })
  .transform((p) => ({
    ...p,
    // One shape downstream: a joined profile's source is the join of its sources.
    source: (p.source ?? joinedSource(p.sources!, p.precedence)) as ProfileSourceConfig,
  }));

/** The attributes a profile's source reads (source.attributes; of every source, when joined). */
function attributesRead(p: { source?: unknown; sources?: { source: unknown }[] | undefined }): Set<string> {
  const listedBy = (s: unknown) => {
    const listed = (s as { attributes?: unknown } | undefined)?.attributes;
    return Array.isArray(listed) ? (listed as string[]) : [];
  };
  return new Set(p.sources ? p.sources.flatMap((m) => listedBy(m.source)) : listedBy(p.source));
}

/** The source attribute a target takes its account names from (`userName: { attribute }`), if any. */
function accountNameAttribute(target: TargetConfig): string | undefined {
  const from = (target as { userName?: unknown }).userName;
  return typeof from === 'object' && from !== null && 'attribute' in from ? String(from.attribute) : undefined;
}

/** A joined profile's sources: names unique, each join key read by its source, precedence naming sources. */
function checkJoin(
  sources: z.infer<typeof joinedSourcesSchema>,
  precedence: z.infer<typeof precedenceSchema>,
  ctx: z.RefinementCtx,
): void {
  const names = sources.map((m) => m.name);
  sources.forEach((m, i) => {
    if (names.indexOf(m.name) !== i)
      ctx.addIssue({ code: 'custom', path: ['sources', i, 'name'], message: `duplicate source name ${m.name}` });
    const listed = (m.source as { attributes?: unknown }).attributes;
    if (m.joinOn !== 'email' && !(Array.isArray(listed) && listed.includes(m.joinOn)))
      ctx.addIssue({
        code: 'custom',
        path: ['sources', i, 'joinOn'],
        message: `source ${m.name} joins on "${m.joinOn}", which it does not read: add it to sources[${i}].source.attributes`,
      });
  });
  const named = (value: string | undefined, path: (string | number)[], allow: string[] = []) => {
    if (value !== undefined && !names.includes(value) && !allow.includes(value))
      ctx.addIssue({ code: 'custom', path, message: `no source named "${value}" (sources: ${names.join(', ')})` });
  };
  named(precedence.enabled, ['precedence', 'enabled']);
  named(precedence.names, ['precedence', 'names']);
  named(precedence.groups, ['precedence', 'groups'], ['union']);
  for (const [attr, src] of Object.entries(precedence.attributes)) named(src, ['precedence', 'attributes', attr]);
}

export const configSchema = z
  .object({
    redis: redisSchema,
    target: targetSchema.optional().describe('The target, when every profile syncs into one.'),
    targets: z
      .record(z.string().regex(/^[a-z0-9][a-z0-9_-]*$/i, 'letters, digits, - and _ only'), targetSchema)
      .optional()
      .describe('Named targets; each profile names its own (profiles[].target). Each has its own rate budget.'),
    policy: policySchema,
    queue: z
      .object({
        concurrency: z
          .number()
          .int()
          .positive()
          .default(16)
          .describe('Ops in flight per process; raise it when API latency x budget rate exceeds it.'),
        attempts: z.number().int().positive().default(8),
        backoffMs: z.number().int().positive().default(1000),
        keepRuns: z.number().int().positive().default(50),
        window: z
          .number()
          .int()
          .min(500)
          .default(5000)
          .describe(
            "Ops of one run waiting in the queue at once; more follow as outcomes arrive. Bounds Redis memory, and another profile's ops queue behind at most this many.",
          ),
      })
      .strict()
      .prefault({}),
    profiles: z.array(profileSchema).min(1),
    daemon: z
      .object({
        http: z
          .object({
            host: z.string().default('127.0.0.1').describe('Bind address; 0.0.0.0 in a container.'),
            port: z.number().int().min(0).max(65535).default(8080),
            token: z
              .string()
              .min(1)
              .optional()
              .describe('Bearer token required on everything but /healthz (use ${ENV} or tokenFile).'),
            tokenFile: z.string().min(1).optional(),
            tokenName: z
              .string()
              .min(1)
              .optional()
              .describe('Who a decision made with `token` is recorded as (default: status-page).'),
            tokens: z
              .array(
                z
                  .object({
                    name: z.string().min(1).describe('Who this token is: recorded on the decisions made with it.'),
                    token: z.string().min(16, 'a status-page token needs at least 16 characters').optional(),
                    tokenFile: z.string().min(1).optional(),
                  })
                  .strict()
                  .refine((t) => t.token !== undefined, { message: 'set token or tokenFile', path: ['token'] }),
              )
              .default([])
              .describe('Named tokens, one per person or system; any of them opens the pages and may decide.'),
            allowUnauthenticated: z
              .boolean()
              .default(false)
              .describe(
                'Serve the pages and /metrics without a token on a non-loopback host (only behind a proxy that authenticates).',
              ),
            trustProxy: z
              .boolean()
              .default(false)
              .describe(
                'A reverse proxy is in front: trust its X-Forwarded-Host / X-Forwarded-Proto (origin check, Secure cookie).',
              ),
          })
          .strict()
          .superRefine((h, ctx) => {
            if (!h.token && h.tokens.length === 0 && !h.allowUnauthenticated && !isLoopbackHost(h.host))
              ctx.addIssue({
                code: 'custom',
                path: ['host'],
                message: `${h.host} is not loopback and neither daemon.http.token nor daemon.http.tokens is set: the run pages (emails, plans) and /metrics would be open to anyone who reaches it; set a token (tokenFile), or daemon.http.allowUnauthenticated: true when a proxy in front authenticates`,
              });
            const names = [...(h.token ? [h.tokenName ?? 'status-page'] : []), ...h.tokens.map((t) => t.name)];
            const dup = names.find((n, i) => names.indexOf(n) !== i);
            if (dup !== undefined)
              ctx.addIssue({ code: 'custom', path: ['tokens'], message: `the name "${dup}" is given twice` });
            const secrets = [...(h.token ? [h.token] : []), ...h.tokens.map((t) => t.token)];
            if (new Set(secrets).size !== secrets.length)
              ctx.addIssue({
                code: 'custom',
                path: ['tokens'],
                message: 'two tokens share one secret: each needs its own',
              });
          })
          .prefault({}),
        publicUrl: z
          .string()
          .url()
          .optional()
          .describe(
            'Base URL people reach the status page at (behind a proxy); links in notifications use it. Default: http://host:port.',
          ),
        shutdownTimeoutMs: z
          .number()
          .int()
          .positive()
          .default(20_000)
          .describe('How long in-flight work may finish on SIGTERM before it is handed back.'),
      })
      .strict()
      .prefault({}),
    approvals: z
      .object({
        expireAfter: duration
          .default(86_400_000)
          .describe(
            'A blocked run waits this long for Approve or Reject; then it expires and the next tick plans afresh.',
          ),
      })
      .strict()
      .prefault({}),
    notify: z
      .array(webhookSchema)
      .default([])
      .describe(
        'Webhooks told when a run is blocked, fails, ends partial, or recovers: one message per change of state.',
      ),
    audit: auditSchema
      .prefault({})
      .describe('The audit stream: one event per change a run makes, and per decision (docs/audit.md).'),
    log: z
      .object({ level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info') })
      .strict()
      .prefault({}),
  })
  .strict()
  .superRefine((c, ctx) => {
    if ((c.target === undefined) === (c.targets === undefined || Object.keys(c.targets).length === 0)) {
      ctx.addIssue({
        code: 'custom',
        path: c.target === undefined ? ['targets'] : ['target'],
        message:
          c.target === undefined ? 'set target, or targets with at least one entry' : 'set target or targets, not both',
      });
    }
    const names = Object.keys(c.targets ?? {});
    c.profiles.forEach((p, i) => {
      if (p.target === undefined) {
        if (names.length > 1)
          ctx.addIssue({
            code: 'custom',
            path: ['profiles', i, 'target'],
            message: `several targets are configured (${names.join(', ')}): name one`,
          });
      } else if (c.targets === undefined ? p.target !== 'default' : !names.includes(p.target)) {
        ctx.addIssue({
          code: 'custom',
          path: ['profiles', i, 'target'],
          message: `no target named "${p.target}" (targets: ${names.join(', ') || 'default'})`,
        });
      }
    });
    // Account names from an attribute the profile's source does not read would leave everyone without one.
    c.profiles.forEach((p, i) => {
      const { name, config } = targetOf(c, p);
      const attribute = config ? accountNameAttribute(config) : undefined;
      if (attribute === undefined || attributesRead(p).has(attribute)) return;
      ctx.addIssue({
        code: 'custom',
        path: c.target ? ['target', 'userName', 'attribute'] : ['targets', name, 'userName', 'attribute'],
        message: `attribute "${attribute}" (the userName of profile ${p.name}'s people) is not read by its source: add it to profiles[${i}].source.attributes`,
      });
    });
    const seen = new Set<string>();
    c.profiles.forEach((p, i) => {
      if (seen.has(p.name))
        ctx.addIssue({ code: 'custom', path: ['profiles', i, 'name'], message: `duplicate profile name ${p.name}` });
      seen.add(p.name);
    });
  });

export type Config = z.infer<typeof configSchema>;
export type ProfileConfig = z.infer<typeof profileSchema>;
export type MappingConfig = z.infer<typeof mappingSchema>;
export type PolicyConfig = z.infer<typeof policySchema>;
export type TargetConfig = z.infer<typeof targetSchema>;
export type SourceConfig = z.infer<typeof sourceSchema>;
export type WebhookConfig = z.infer<typeof webhookSchema>;
export type AuditConfig = z.infer<typeof auditSchema>;

/** The target a profile syncs into, with its name (the single `target` is named "default"). */
export function targetOf(config: Config, profile: ProfileConfig): { name: string; config: TargetConfig } {
  if (config.target) return { name: 'default', config: config.target };
  const targets = config.targets ?? {};
  const name = profile.target ?? Object.keys(targets)[0]!;
  return { name, config: targets[name]! };
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
