import { z } from 'zod';
import { targetBaseUrl } from '../http/base-url.js';
import { optionalRateLimitSchema } from '../http/rate-limit-schema.js';

export const USER_TYPES = ['AzureAD', 'AzureADExternal', 'UserPass', 'MobileID'] as const;
export const ROLE_TYPES = ['System', 'Report', 'RLS'] as const;

export const datacentralTargetSchema = z
  .object({
    kind: z.literal('datacentral'),
    baseUrl: targetBaseUrl().describe(
      'The tenant API root, e.g. https://contoso.datacentral.example/v1 (paths such as users are relative to it).',
    ),
    token: z.string().min(1).optional().describe('The tenant API key (Bearer); prefer ${ENV} or tokenFile.'),
    tokenFile: z.string().min(1).optional(),
    userType: z
      .enum(USER_TYPES)
      .default('UserPass')
      .describe(
        'Identity type of the users the sync creates: AzureAD with an Entra source, UserPass (or another) otherwise. Fixed at creation.',
      ),
    units: z
      .object({
        from: z
          .enum(['groups', 'path'])
          .default('groups')
          .describe(
            'groups: the unit tree mirrors the directory\'s group nesting; path: a mapped name "A/B/C" is the unit C under B under A.',
          ),
        membership: z
          .enum(['transitive', 'direct'])
          .default('transitive')
          .describe(
            'A person is in the units of their groups and of the groups those nest in (transitive), or of their own groups only (direct).',
          ),
        createRenamedOUs: z
          .boolean()
          .default(false)
          .describe(
            'A renamed (or moved) group gets a new unit, the old one emptied and reported. Off: the old unit keeps serving the group under its old name (units cannot be renamed or moved through the API).',
          ),
        linkEntraGroups: z
          .boolean()
          .default(false)
          .describe(
            "Set entraGroupId on the units the sync creates to the group's id (with an Entra source, whose group ids are Entra object ids).",
          ),
      })
      .strict()
      .prefault({}),
    roles: z
      .array(
        z
          .object({
            name: z.string().min(1),
            type: z
              .enum(ROLE_TYPES)
              .describe('Report or RLS (the System roles Admin, User and ReportViewer always exist).'),
            code: z.string().min(1).optional(),
            description: z.string().optional(),
          })
          .strict(),
      )
      .default([])
      .describe('Roles the sync creates when a rule gives one the tenant lacks. Roles are never updated or deleted.'),
    pageSize: z
      .number()
      .int()
      .min(1)
      .max(200)
      .default(200)
      .describe('Items per page when reading (the API allows 1-200).'),
    timeoutMs: z.number().int().positive().default(30_000),
    // The API documents no rate limit: none unless configured.
    rateLimit: optionalRateLimitSchema({ max: 100, duration: 1000 }),
  })
  .strict()
  .superRefine((t, ctx) => {
    if (t.token === undefined && t.tokenFile === undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['token'],
        message: 'set token (e.g. ${DATACENTRAL_API_KEY}) or tokenFile',
      });
    const seen = new Set<string>();
    t.roles.forEach((r, i) => {
      const k = r.name.toLowerCase();
      if (['admin', 'user', 'reportviewer'].includes(k))
        ctx.addIssue({
          code: 'custom',
          path: ['roles', i, 'name'],
          message: `"${r.name}" is a built-in System role: it always exists`,
        });
      if (seen.has(k))
        ctx.addIssue({
          code: 'custom',
          path: ['roles', i, 'name'],
          message: `duplicate role "${r.name}" (names ignore case)`,
        });
      seen.add(k);
    });
  });

export type DatacentralTargetConfig = z.infer<typeof datacentralTargetSchema>;
