import { z } from 'zod';
import { targetBaseUrl } from '../http/base-url.js';
import { optionalRateLimitSchema } from '../http/rate-limit-schema.js';

/** The server profiles: how known SCIM servers differ from RFC 7644 where a client must follow. */
export const SCIM_PROFILES = ['rfc7644', 'value-list', 'replace-without-path', 'string-active', 'put-only'] as const;
export type ScimProfileName = (typeof SCIM_PROFILES)[number];

export const scimTargetSchema = z
  .object({
    kind: z.literal('scim'),
    baseUrl: targetBaseUrl().describe(
      'The SCIM service root, with or without /scim/v2 (https only; plain http only to loopback). Without it, /scim/v2 is added.',
    ),
    token: z.string().min(1).optional().describe('The Bearer token; prefer ${ENV} or tokenFile.'),
    tokenFile: z.string().min(1).optional(),
    userName: z
      .union([
        z.enum(['email', 'sourceId']),
        z
          .object({
            attribute: z
              .string()
              .min(1)
              .describe(
                "A source attribute (listed in the profile's source.attributes): its first value is the userName. A person without it gets no account.",
              ),
          })
          .strict(),
      ])
      .default('email')
      .describe(
        "What becomes the SCIM userName: the person's email, the directory's id (sourceId), or { attribute: NAME }, a source attribute's first value (changed in place when it changes). The email always goes to emails[primary] and externalId is always the directory's immutable id.",
      ),
    profile: z
      .enum(SCIM_PROFILES)
      .default('rfc7644')
      .describe(
        'Server profile (docs/targets-scim.md): rfc7644 (members removed by path members[value eq "id"]), value-list (removed by a value list), replace-without-path (PATCH replace of a value object), string-active ("active": "false"), put-only (no PATCH: whole resources by PUT).',
      ),
    memberships: z
      .enum(['batched', 'per-member'])
      .default('batched')
      .describe(
        'batched: one PATCH per group carries up to maxMembersPerPatch added or removed members; per-member: one PATCH per membership.',
      ),
    maxMembersPerPatch: z
      .number()
      .int()
      .min(1)
      .max(10_000)
      .default(100)
      .describe('Members added or removed by one PATCH /Groups call (batched memberships).'),
    bulk: z
      .enum(['auto', 'off'])
      .default('auto')
      .describe(
        'auto: user creates through /Bulk when /ServiceProviderConfig says it is supported, within its maxOperations and maxPayloadSize.',
      ),
    roles: z
      .object({
        attribute: z
          .enum(['roles', 'entitlements'])
          .default('roles')
          .describe('The multi-valued user attribute that holds the application roles.'),
        names: z.array(z.string().min(1)).min(1).describe('The role values, lowest rank first.'),
        default: z.string().min(1).optional().describe('Given when no rule names a role (default: none).'),
        many: z.boolean().default(false).describe('A user may hold several roles (else the highest wins).'),
      })
      .strict()
      .optional()
      .describe('Application roles exposed through SCIM: role rules write this attribute.'),
    pageSize: z
      .number()
      .int()
      .min(1)
      .max(1000)
      .default(100)
      .describe("count per list page (lowered to the server's filter.maxResults when it says less)."),
    readConcurrency: z.number().int().min(1).max(16).default(4).describe('Pages fetched at once after the first.'),
    timeoutMs: z.number().int().positive().default(30_000),
    // SCIM documents no rate limit: none unless configured (Retry-After on 429 is always honoured).
    rateLimit: optionalRateLimitSchema({ max: 100, duration: 1000 }),
  })
  .strict()
  .refine((t) => t.token !== undefined || t.tokenFile !== undefined, {
    message: 'set token (e.g. ${SCIM_TOKEN}) or tokenFile',
    path: ['token'],
  });

export type ScimTargetConfig = z.infer<typeof scimTargetSchema>;

/** The base URL with /scim/v2, whichever way it was given. */
export function scimRoot(baseUrl: string): string {
  const u = new URL(baseUrl);
  const path = u.pathname.replace(/\/+$/, '');
  u.pathname = /\/scim\/v2$/i.test(path) ? `${path}/` : `${path}/scim/v2/`;
  return u.toString();
}
