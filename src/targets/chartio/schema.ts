import { z } from 'zod';
import { targetBaseUrl } from '../http/base-url.js';
import { rateLimitSchema } from '../http/rate-limit-schema.js';

export const chartioTargetSchema = z
  .object({
    kind: z.literal('chartio'),
    baseUrl: targetBaseUrl().default('https://api.chartio.com/v1'),
    org: z.string().min(1).describe('Organization slug.'),
    apiKey: z.string().min(1),
    apiSecret: z.string().min(1).optional().describe('Prefer ${ENV} or apiSecretFile.'),
    apiSecretFile: z.string().min(1).optional(),
    timeoutMs: z.number().int().positive().default(30_000),
    // Seed 000: 5,000 requests per 5 minutes per client IP.
    rateLimit: rateLimitSchema({ max: 5000, duration: 300_000 }),
  })
  .strict()
  .refine((t) => t.apiSecret !== undefined || t.apiSecretFile !== undefined, {
    message: 'set apiSecret (e.g. ${CHARTIO_API_SECRET}) or apiSecretFile',
    path: ['apiSecret'],
  });

export type ChartioTargetConfig = z.infer<typeof chartioTargetSchema>;
