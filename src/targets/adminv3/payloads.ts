import { z } from 'zod';

/** Only the fields rostersync reads from Admin API v3 answers. */
export const ROLES = ['viewer', 'editor', 'admin'] as const;
export const STATUSES = ['active', 'pending', 'disabled'] as const;

export const userSchema = z
  .object({
    id: z.string().min(1),
    email: z.string(),
    name: z.string().optional(),
    role: z.string(),
    status: z.enum(STATUSES),
  })
  .loose();
export const usersPageSchema = z
  .object({
    data: z.array(userSchema),
    meta: z.object({ total: z.number().int().min(0), limit: z.number().int(), offset: z.number().int() }).loose(),
  })
  .loose();
export const errorBodySchema = z
  .object({ error: z.object({ code: z.string(), message: z.string().optional() }).loose() })
  .loose();

export type V3User = z.infer<typeof userSchema>;
