import { z } from 'zod';
import { accessEntryProblem } from '../mapping/access-rules.js';
import { checkListEntry } from '../mapping/patterns.js';

/**
 * A resource an access rule names: its title (exact with `*` as any text, or `/regex/flags`, either with `${name}` /
 * `$1` taken from the team pattern's captures), or its id (a number or a uid, as the target names it).
 */
const resourceEntry = z.union([
  z.string().min(1),
  z.object({ id: z.union([z.string().min(1), z.number().int()]).transform(String) }).strict(),
  z
    .object({ uid: z.string().min(1) })
    .strict()
    .transform((e) => ({ id: e.uid })),
]);

const resourceList = z.array(resourceEntry).min(1).optional();

export const accessRuleSchema = z
  .object({
    teams: z
      .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
      .transform((t) => (typeof t === 'string' ? [t] : t))
      .describe(
        'Managed teams the rule is for: names as the mapping makes them, or /regex/ (its captures can be used in the resources as ${name} or $1).',
      ),
    level: z
      .string()
      .min(1)
      .describe(
        "A level the target knows (e.g. viewer / editor / admin, or View / Edit / Admin; docs/access.md lists each target's).",
      ),
    dashboards: resourceList.describe('Dashboards: titles (* is any text), /regex/, or {id: ...} / {uid: ...}.'),
    datasources: resourceList.describe('Data sources: names, /regex/, or {id: ...}.'),
    folders: resourceList.describe('Folders: titles, /regex/, or {uid: ...}.'),
  })
  .strict()
  .superRefine((r, ctx) => {
    if (!r.dashboards && !r.datasources && !r.folders)
      ctx.addIssue({ code: 'custom', message: 'name at least one of dashboards, datasources or folders' });
    r.teams.forEach((t, i) => {
      const problem = checkListEntry(t);
      if (problem) ctx.addIssue({ code: 'custom', path: ['teams', i], message: problem });
    });
    for (const type of ['dashboards', 'datasources', 'folders'] as const)
      r[type]?.forEach((e, i) => {
        const problem = typeof e === 'string' ? accessEntryProblem(e, r.teams) : undefined;
        if (problem) ctx.addIssue({ code: 'custom', path: [type, i], message: problem });
      });
  });

export type AccessRuleConfig = z.infer<typeof accessRuleSchema>;

export const accessListSchema = z
  .array(accessRuleSchema)
  .default([])
  .describe('Access as code (docs/access.md): which managed teams get which level on which resources.');
