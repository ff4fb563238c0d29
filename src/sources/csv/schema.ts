import { z } from 'zod';
import { attributesSchema } from '../attributes.js';

const columns = z
  .object({
    id: z
      .string()
      .default('id')
      .describe('Immutable person key column (falls back to email when the column is absent).'),
    email: z.string().default('email'),
    displayName: z.string().default('display_name'),
    givenName: z.string().default('given_name'),
    familyName: z.string().default('family_name'),
    enabled: z
      .string()
      .default('enabled')
      .describe('Truthy: true/yes/1/active/enabled; falsy: false/no/0/inactive/disabled. Absent column = enabled.'),
    groups: z.string().default('groups').describe('Shape "person-groups": the delimited groups column.'),
    group: z.string().default('group').describe('Shape "memberships": the group column of each membership row.'),
  })
  .strict()
  .prefault({});

export const csvSourceSchema = z
  .object({
    kind: z.literal('csv'),
    path: z.string().min(1).describe('People file (one row per person, or one row per membership).'),
    shape: z.enum(['person-groups', 'memberships']).default('person-groups'),
    columns,
    attributes: attributesSchema.describe(
      "Columns of the people file read for each person, by header name (matched like the other columns). A listed column missing from the header fails the read. Memberships shape: from the person's first row.",
    ),
    groupDelimiter: z.string().min(1).default(';'),
    delimiter: z.string().min(1).default(','),
    groupsFile: z
      .object({
        path: z.string().min(1),
        id: z.string().default('id'),
        name: z.string().default('name'),
        parent: z.string().default('parent').describe('Parent group id(s), delimited by groupDelimiter.'),
      })
      .strict()
      .optional()
      .describe(
        'Optional groups file: declares groups and their nesting. With it, unknown groups in people rows are bad rows.',
      ),
    maxInvalidRows: z
      .number()
      .int()
      .min(0)
      .default(50)
      .describe('More bad rows than this fails the read (and a failed read never deletes anyone).'),
  })
  .strict();

export type CsvSourceConfig = z.infer<typeof csvSourceSchema>;
