import { z } from 'zod';
import { attributesSchema } from '../attributes.js';

/**
 * The Graph client appends the version itself, so a base URL copied from Graph Explorer
 * (https://graph.microsoft.com/v1.0/) would become /v1.0/v1.0/... and fail on the first read.
 */
export function graphOrigin(url: string): string {
  return url
    .replace(/\/+$/, '')
    .replace(/\/(v1\.0|beta)$/i, '')
    .replace(/\/+$/, '');
}

/** Entra object ids are GUIDs. */
export const OBJECT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * An entry of `groups.ids` as Graph spells object ids: a GUID compares without case and Graph
 * answers in lower case, so `6F1E…` loads as `6f1e…` (trimmed) and every comparison with Graph's
 * ids (scope, delta rounds, vanished groups) is exact. Anything else (a group name by mistake) is
 * kept as written, for the message that names it.
 */
export function objectId(id: string): string {
  const trimmed = id.trim();
  return OBJECT_ID.test(trimmed) ? trimmed.toLowerCase() : id;
}

export const entraSourceSchema = z
  .object({
    kind: z.literal('entra'),
    tenantId: z.string().min(1),
    clientId: z.string().min(1),
    clientSecret: z.string().min(1).optional().describe('Prefer ${ENTRA_CLIENT_SECRET} or clientSecretFile.'),
    clientSecretFile: z.string().min(1).optional(),
    certificatePath: z
      .string()
      .min(1)
      .optional()
      .describe('PEM with private key and certificate, instead of a secret.'),
    authorityHost: z
      .string()
      .url()
      .default('https://login.microsoftonline.com')
      .describe('National clouds: e.g. https://login.microsoftonline.us'),
    graphBaseUrl: z
      .string()
      .url()
      .default('https://graph.microsoft.com')
      .describe(
        'National clouds: e.g. https://graph.microsoft.us. A trailing /v1.0 (or /beta) is dropped: the client adds the version.',
      )
      .transform(graphOrigin),
    groups: z
      .object({
        ids: z.array(z.string().transform(objectId)).optional(),
        displayNamePrefix: z.string().optional(),
        filter: z.string().optional().describe('A raw OData $filter for /groups.'),
        nesting: z
          .boolean()
          .optional()
          .describe(
            "Read each group's direct members (people and groups apart), so groups have parents and people their own groups. Unset: read when the target needs it (units that mirror the groups, or units.membership: direct); false: never (the cheaper transitive read).",
          ),
      })
      .strict()
      .prefault({}),
    users: z
      .enum(['groupMembers', 'all'])
      .default('groupMembers')
      .describe('groupMembers: only people in the in-scope groups; all: every user of the tenant.'),
    email: z
      .array(z.enum(['mail', 'userPrincipalName']))
      .min(1)
      .default(['mail', 'userPrincipalName']),
    attributes: attributesSchema.describe(
      'Graph user properties read for each person, for mapping rules and scoping filters (docs/sources-entra.md): a property (department), a path into a complex one (employeeOrgData.costCenter, onPremisesExtensionAttributes.extensionAttribute3) or a directory extension (extension_<appId>_<name>).',
    ),
    pageSize: z.number().int().min(1).max(999).default(999),
    concurrency: z
      .number()
      .int()
      .min(1)
      .max(20)
      .default(4)
      .describe(
        'Graph HTTP requests in flight at once (each a $batch of up to 20 reads). Higher reads faster and draws 429s sooner.',
      ),
    maxRetries: z.number().int().min(0).default(6),
    retryBaseMs: z.number().int().positive().default(1000),
    timeoutMs: z.number().int().positive().default(60_000),
  })
  .strict()
  .refine((c) => c.clientSecret !== undefined || c.clientSecretFile !== undefined || c.certificatePath !== undefined, {
    message: 'set clientSecret (e.g. ${ENTRA_CLIENT_SECRET}), clientSecretFile or certificatePath',
    path: ['clientSecret'],
  });

export type EntraSourceConfig = z.infer<typeof entraSourceSchema>;
