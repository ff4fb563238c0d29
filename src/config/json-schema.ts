import { z } from 'zod';
import { configSchema } from './schema.js';

/** JSON Schema of the config file for editors (config/schema.json is generated from it). */
export function configJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }),
    title: 'rostersync configuration',
  };
}
