import { z } from 'zod';

/** Only the fields rostersync reads from the tenant API's answers. */
export const userSchema = z
  .object({
    id: z.string(),
    email: z.string(),
    type: z.string().optional(),
    firstName: z.string().nullish(),
    lastName: z.string().nullish(),
    roles: z.array(z.string()).default([]),
    organizationUnits: z.array(z.string()).default([]),
  })
  .loose();
export const roleSchema = z.object({ id: z.string(), name: z.string(), type: z.string().optional() }).loose();
export const unitSchema = z
  .object({ id: z.string(), name: z.string(), parentId: z.string().nullish(), entraGroupId: z.string().nullish() })
  .loose();

export const pageOf = <T extends z.ZodType>(item: T) =>
  z
    .object({
      items: z.array(item),
      page: z.number().int(),
      pageSize: z.number().int(),
      totalCount: z.number().int().min(0),
    })
    .loose();

export const errorBodySchema = z
  .object({ error: z.object({ code: z.string().optional(), message: z.string().optional() }).loose() })
  .loose();

export type DcUser = z.infer<typeof userSchema>;
export type DcRole = z.infer<typeof roleSchema>;
export type DcUnit = z.infer<typeof unitSchema>;

/** The API's name for the top of the unit tree. */
export const ROOT = 'root';
