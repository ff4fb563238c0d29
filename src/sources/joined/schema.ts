import { z } from 'zod';

/** Which source decides each field of a joined person (docs/sources-joined.md). */
export const precedenceSchema = z
  .object({
    enabled: z
      .string()
      .optional()
      .describe(
        'The source whose enabled flag counts (e.g. the HR file: a leaver there is out while still enabled elsewhere).',
      ),
    names: z.string().optional().describe('The source whose email, display name, given and family names count.'),
    attributes: z.record(z.string(), z.string()).default({}).describe('Per attribute, the source whose value counts.'),
    groups: z
      .string()
      .default('union')
      .describe('`union` (every source’s groups count) or the one source whose groups count.'),
  })
  .strict()
  .prefault({});

/** One source of a joined profile: its name, how it joins, whether a person must be in it, and the source itself. */
export function joinedMemberSchema<S extends z.ZodType>(source: S) {
  return z
    .object({
      name: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/i, 'letters, digits, - and _ only'),
      source,
      joinOn: z
        .string()
        .min(1)
        .default('email')
        .describe(
          '`email`, or an attribute of this source (listed in its attributes) holding the join key (e.g. the employee id).',
        ),
      required: z
        .boolean()
        .default(false)
        .describe(
          'A person must be in this source to be synced (e.g. the HR file: whoever is not employed there is out).',
        ),
    })
    .strict();
}

export type Precedence = z.infer<typeof precedenceSchema>;

export interface JoinedMember<S> {
  name: string;
  source: S;
  joinOn: string;
  required: boolean;
}

/** What the registry builds a joined source from (a profile's `sources:` and `precedence:`). */
export interface JoinedSourceConfig<S = unknown> {
  kind: 'joined';
  sources: JoinedMember<S>[];
  precedence: Precedence;
}
