import { z } from 'zod';
import { targetBaseUrl } from '../http/base-url.js';
import { rateLimitSchema } from '../http/rate-limit-schema.js';

export const adminv3TargetSchema = z
  .object({
    kind: z.literal('adminv3'),
    baseUrl: targetBaseUrl()
      .default('https://api.admin.io/v3')
      .describe('The API root, with /v3 (https only; plain http only to loopback, for the emulator).'),
    token: z.string().min(1).optional().describe('The API key (Bearer sk_...); prefer ${ENV} or tokenFile.'),
    tokenFile: z.string().min(1).optional(),
    keyOwner: z
      .string()
      .min(3)
      .optional()
      .describe(
        'Email of the user the API key belongs to: never demoted, disabled or deleted (the API refuses it with 403 cannot_modify_own_user). Without it, such a change fails and is reported.',
      ),
    pageSize: z
      .number()
      .int()
      .min(1)
      .max(100)
      .default(100)
      .describe('Users per GET /users page (the API allows 1-100).'),
    readConcurrency: z
      .number()
      .int()
      .min(1)
      .max(16)
      .default(4)
      .describe('Pages fetched at once after the first (which gives meta.total), within the rate budget.'),
    timeoutMs: z.number().int().positive().default(30_000),
    // Seed 002: 1,000 requests per minute per API key.
    rateLimit: rateLimitSchema({ max: 1000, duration: 60_000 }),
    followRateLimitHeaders: z
      .boolean()
      .default(true)
      .describe(
        'Follow the X-RateLimit-Limit / -Remaining / -Reset headers as well as rateLimit: slow down, or wait for the reset, when the server says the window is nearly spent (other clients on the same key count too).',
      ),
  })
  .strict()
  .refine((t) => t.token !== undefined || t.tokenFile !== undefined, {
    message: 'set token (e.g. ${ADMINV3_TOKEN}) or tokenFile',
    path: ['token'],
  });

export type AdminV3TargetConfig = z.infer<typeof adminv3TargetSchema>;
