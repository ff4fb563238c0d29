import { z } from 'zod';
import { targetBaseUrl } from '../http/base-url.js';
import { optionalRateLimitSchema } from '../http/rate-limit-schema.js';

const secret = (what: string) => z.string().min(1).optional().describe(`${what}; prefer \${ENV} or the *File key.`);

/**
 * Grafana's API paths start with /api, so a base URL ending in /api (copied from an API example)
 * would call /api/api/health and get 404s: the root without it is what is meant.
 */
function noApiSuffix(value: string, ctx: z.RefinementCtx<string>): void {
  if (!URL.canParse(value)) return;
  const url = new URL(value);
  if (!/\/api\/*$/i.test(url.pathname)) return;
  const root = `${url.protocol}//${url.host}${url.pathname.replace(/\/api\/*$/i, '')}`;
  ctx.addIssue({ code: 'custom', message: `ends in /api: give the Grafana root without it (${root})` });
}

export const grafanaTargetSchema = z
  .object({
    kind: z.literal('grafana'),
    baseUrl: targetBaseUrl()
      .superRefine(noApiSuffix)
      .describe('The Grafana root URL, e.g. https://grafana.example.com (no /api).'),
    org: z
      .union([z.string().min(1), z.number().int().positive()])
      .optional()
      .describe(
        "The org teams and roles belong to unless a rule names another (name or id). Default: the token's org, else org 1.",
      ),
    token: secret('Service-account token (Bearer) for calls in the default org'),
    tokenFile: z.string().min(1).optional(),
    orgTokens: z
      .record(z.string(), z.string().min(1))
      .default({})
      .describe('Service-account tokens of other orgs the mapping names, by org name.'),
    admin: z
      .object({
        user: z.string().min(1),
        password: secret('Password of a Grafana server admin'),
        passwordFile: z.string().min(1).optional(),
      })
      .strict()
      .optional()
      .describe(
        'Server-admin Basic credentials: only for what Grafana reserves to server admins (listing and creating global users, deleting users, orgs without a token).',
      ),
    createUsers: z
      .boolean()
      .default(false)
      .describe(
        'Create missing users through the Admin API (needs admin); otherwise people wait for their first sign-in (SSO creates them).',
      ),
    membership: z
      .enum(['auto', 'per-member', 'whole-team'])
      .default('auto')
      .describe('auto: a whole team in one PUT where the server version has it, else one call per member.'),
    permissionsApi: z
      .enum(['auto', 'access-control', 'legacy'])
      .default('auto')
      .describe(
        'auto: folder and dashboard permissions one team at a time through access control where the server version has it, else the legacy whole-list API (every grant the sync does not own written back as read).',
      ),
    timeoutMs: z.number().int().positive().default(30_000),
    // Grafana documents no API rate limit: none unless configured.
    rateLimit: optionalRateLimitSchema({ max: 100, duration: 1000 }),
  })
  .strict()
  .superRefine((t, ctx) => {
    if (t.token === undefined && t.tokenFile === undefined && t.admin === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['token'],
        message: 'set token (e.g. ${GRAFANA_TOKEN}) or tokenFile, or admin credentials',
      });
    }
    if (t.admin && t.admin.password === undefined && t.admin.passwordFile === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['admin', 'password'],
        message: 'set password (e.g. ${GRAFANA_ADMIN_PASSWORD}) or passwordFile',
      });
    }
    if (t.createUsers && !t.admin)
      ctx.addIssue({
        code: 'custom',
        path: ['createUsers'],
        message: 'creating users needs admin credentials (Grafana reserves it to server admins)',
      });
  });

export type GrafanaTargetConfig = z.infer<typeof grafanaTargetSchema>;
