import { z } from 'zod';
import { duration } from '../../config/duration.js';

/** A target's rate budget in config: `max` calls per `duration`, used at `headroom`. */
export function rateLimitSchema(defaults: { max: number; duration: number }) {
  return rateLimitObject(defaults).prefault({});
}

/** The same, for targets with no documented limit: absent means no budget at all. */
export function optionalRateLimitSchema(defaults: { max: number; duration: number }) {
  return rateLimitObject(defaults).optional();
}

function rateLimitObject(defaults: { max: number; duration: number }) {
  return z
    .object({
      max: z.number().int().positive().default(defaults.max),
      duration: duration.default(defaults.duration),
      headroom: z.number().gt(0).max(1).default(0.95),
    })
    .strict();
}
