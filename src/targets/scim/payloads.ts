import { z } from 'zod';

/** Only the fields rostersync reads from SCIM answers (RFC 7643, RFC 7644). */
export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const BULK_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
export const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';

/** `active` is a boolean in RFC 7643; some servers answer the string "true"/"false". */
const activeValue = z
  .union([z.boolean(), z.enum(['true', 'false', 'True', 'False'])])
  .transform((v) => (typeof v === 'boolean' ? v : v.toLowerCase() === 'true'));

const multiValue = z
  .object({ value: z.string().optional(), primary: z.union([z.boolean(), z.string()]).optional() })
  .loose();

export const userSchema = z
  .object({
    id: z.string().min(1),
    userName: z.string(),
    externalId: z.string().optional(),
    displayName: z.string().optional(),
    name: z.object({ givenName: z.string().optional(), familyName: z.string().optional() }).loose().optional(),
    emails: z.array(multiValue).optional(),
    active: activeValue.optional(),
    roles: z.array(multiValue).optional(),
    entitlements: z.array(multiValue).optional(),
  })
  .loose();

export const groupSchema = z
  .object({
    id: z.string().min(1),
    displayName: z.string(),
    members: z.array(z.object({ value: z.string() }).loose()).optional(),
  })
  .loose();

export const listSchema = <T extends z.ZodType>(item: T) =>
  z
    .object({
      totalResults: z.number().int().min(0),
      startIndex: z.number().int().optional(),
      itemsPerPage: z.number().int().optional(),
      Resources: z.array(item).optional(),
    })
    .loose();

export const usersPageSchema = listSchema(userSchema);
export const groupsPageSchema = listSchema(groupSchema);

export const errorBodySchema = z
  .object({
    status: z.union([z.string(), z.number()]).optional(),
    scimType: z.string().optional(),
    detail: z.string().optional(),
  })
  .loose();

const supported = z.object({ supported: z.boolean().optional() }).loose().optional();

export const serviceProviderConfigSchema = z
  .object({
    patch: supported,
    bulk: z
      .object({
        supported: z.boolean().optional(),
        maxOperations: z.number().int().optional(),
        maxPayloadSize: z.number().int().optional(),
      })
      .loose()
      .optional(),
    filter: z.object({ supported: z.boolean().optional(), maxResults: z.number().int().optional() }).loose().optional(),
    etag: supported,
    changePassword: supported,
    sort: supported,
  })
  .loose();

export const resourceTypesSchema = z.union([
  listSchema(
    z.object({ name: z.string().optional(), endpoint: z.string().optional(), schema: z.string().optional() }).loose(),
  ),
  z.array(z.object({ name: z.string().optional(), endpoint: z.string().optional() }).loose()),
]);

const attributeSchema = z.object({ name: z.string() }).loose();
export const schemasSchema = z.union([
  listSchema(z.object({ id: z.string(), attributes: z.array(attributeSchema).optional() }).loose()),
  z.array(z.object({ id: z.string(), attributes: z.array(attributeSchema).optional() }).loose()),
]);

export const bulkResponseSchema = z
  .object({
    Operations: z.array(
      z
        .object({
          method: z.string().optional(),
          bulkId: z.string().optional(),
          location: z.string().optional(),
          status: z.union([z.string(), z.number()]),
          response: z.unknown().optional(),
        })
        .loose(),
    ),
  })
  .loose();

export type ScimUser = z.infer<typeof userSchema>;
export type ScimGroup = z.infer<typeof groupSchema>;
