import { z } from 'zod';
import { csvSourceSchema } from '../sources/csv/schema.js';
import { ldapSourceSchema } from '../sources/ldap/schema.js';
import { entraSourceSchema } from '../sources/entra/schema.js';
import { validate as isCron } from 'node-cron';
import { checkListEntry, checkRule } from '../mapping/patterns.js';

/** "90s", "15m", "7d" -> milliseconds. */
export const duration = z
  .union([z.number().int().min(0), z.string().regex(/^\d+(ms|s|m|h|d)$/, 'expected a duration such as 30s, 15m, 7d')])
  .describe('Milliseconds, or a number with a unit: 500ms, 30s, 15m, 12h, 7d.')
  .transform((v) => (typeof v === 'number' ? v : parseDuration(v)));

export function parseDuration(v: string): number {
  const m = /^(\d+)(ms|s|m|h|d)$/.exec(v);
  if (!m) throw new Error(`bad duration ${v}`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 'ms' | 's' | 'm' | 'h' | 'd'];
  return Number(m[1]) * unit;
}

/** Sources are one discriminated union keyed by `kind`; each connector owns its schema. */
export const sourceSchema = z.discriminatedUnion('kind', [csvSourceSchema, ldapSourceSchema, entraSourceSchema]);

const groupPattern = z.string().superRefine((v, ctx) => {
  const problem = checkListEntry(v);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

const cron = z.string().refine((v) => isCron(v), 'expected a cron expression (5 or 6 fields), e.g. "*/15 * * * *"');

export const mappingSchema = z
  .object({
    groups: z.record(z.string(), z.string()).default({}).describe('Explicit map: group name or sourceId -> team name.'),
    rules: z
      .array(
        z
          .object({
            match: z.string().describe('Regular expression tested against the group name.'),
            team: z.string().describe('Team name template: $1 / ${1} / ${name} insert captures.'),
            flags: z.string().regex(/^[imsu]*$/).default(''),
          })
          .strict()
          .superRefine((r, ctx) => {
            // Caught at load time with the rule's line, not halfway through a run.
            const problem = checkRule(r.match, r.flags, r.team);
            if (problem) ctx.addIssue({ code: 'custom', path: [problem.startsWith('team') ? 'team' : 'match'], message: problem });
          }),
      )
      .default([]),
    include: z.array(groupPattern).default([]).describe('If set, only these groups (names, or /regex/) are mapped.'),
    exclude: z.array(groupPattern).default([]).describe('Groups (names, or /regex/) never mapped.'),
    defaultTeam: z.string().optional().describe('Team for in-scope people with no mapped group.'),
    people: z
      .object({
        includeDisabled: z.boolean().default(false),
        emailDomains: z.array(z.string()).default([]).describe('If set, only people whose email is in one of these domains.'),
        exclude: z.array(z.string()).default([]).describe('Emails never synced.'),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export const policySchema = z
  .object({
    membership: z.enum(['authoritative', 'additive']).default('authoritative'),
    deprovision: z.enum(['none', 'remove-from-managed-teams', 'delete-user']).default('remove-from-managed-teams'),
    deprovisionAfter: duration.default(0).describe('Grace period: how long a person must be absent before deprovisioning.'),
    maxDeletes: z.number().int().min(0).default(25),
    maxDeletePercent: z.number().min(0).max(100).default(10),
    minSourceRatio: z.number().min(0).max(1).default(0.5).describe('A directory smaller than this share of the last good read deletes nobody.'),
    prune: z.boolean().default(false).describe('Delete teams the sync created that the mapping no longer produces.'),
    deleteOwners: z.boolean().default(false),
    protectedUsers: z.array(z.string()).default([]).describe('Emails never touched.'),
    protectedTeams: z.array(z.string()).default([]).describe('Team names never touched.'),
  })
  .strict()
  .prefault({});

export const chartioTargetSchema = z
  .object({
    kind: z.literal('chartio'),
    baseUrl: z.string().url().default('https://api.chartio.com/v1'),
    org: z.string().min(1).describe('Organization slug.'),
    apiKey: z.string().min(1),
    apiSecret: z.string().min(1).optional().describe('Prefer ${ENV} or apiSecretFile.'),
    apiSecretFile: z.string().min(1).optional(),
    timeoutMs: z.number().int().positive().default(30_000),
    rateLimit: z
      .object({
        max: z.number().int().positive().default(5000),
        duration: duration.default(300_000),
        headroom: z.number().gt(0).max(1).default(0.95),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .refine((t) => t.apiSecret !== undefined || t.apiSecretFile !== undefined, {
    message: 'set apiSecret (e.g. ${CHARTIO_API_SECRET}) or apiSecretFile',
    path: ['apiSecret'],
  });

export const targetSchema = chartioTargetSchema;

export const profileSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/i, 'letters, digits, - and _ only'),
    source: sourceSchema,
    mapping: mappingSchema.prefault({}),
    schedule: z
      .object({
        incremental: cron.optional().describe('Cron expression (5 or 6 fields).'),
        full: cron.optional(),
        timezone: z.string().refine(isTimeZone, 'expected an IANA time zone such as UTC or Europe/Berlin').default('UTC'),
      })
      .strict()
      .optional(),
  })
  .strict();

export const configSchema = z
  .object({
    redis: z
      .object({
        url: z.string().default('redis://127.0.0.1:6379'),
        prefix: z.string().regex(/^[A-Za-z0-9_-]+$/).default('rostersync'),
      })
      .strict()
      .prefault({}),
    target: targetSchema,
    policy: policySchema,
    queue: z
      .object({
        concurrency: z.number().int().positive().default(16).describe("Ops in flight per process; raise it when API latency x budget rate exceeds it."),
        attempts: z.number().int().positive().default(8),
        backoffMs: z.number().int().positive().default(1000),
        keepRuns: z.number().int().positive().default(50),
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
            token: z.string().min(1).optional().describe('Bearer token required on everything but /healthz (use ${ENV} or tokenFile).'),
            tokenFile: z.string().min(1).optional(),
          })
          .strict()
          .prefault({}),
        shutdownTimeoutMs: z.number().int().positive().default(20_000).describe('How long in-flight work may finish on SIGTERM before it is handed back.'),
      })
      .strict()
      .prefault({}),
    log: z.object({ level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info') }).strict().prefault({}),
  })
  .strict()
  .superRefine((c, ctx) => {
    const seen = new Set<string>();
    c.profiles.forEach((p, i) => {
      if (seen.has(p.name)) ctx.addIssue({ code: 'custom', path: ['profiles', i, 'name'], message: `duplicate profile name ${p.name}` });
      seen.add(p.name);
    });
  });

export type Config = z.infer<typeof configSchema>;
export type ProfileConfig = z.infer<typeof profileSchema>;
export type MappingConfig = z.infer<typeof mappingSchema>;
export type PolicyConfig = z.infer<typeof policySchema>;
export type ChartioTargetConfig = z.infer<typeof chartioTargetSchema>;
export type SourceConfig = z.infer<typeof sourceSchema>;

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
