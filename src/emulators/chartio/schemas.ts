import { z } from 'zod';

/** Request bodies the emulator accepts (seed 001), strict on types: ids are integers, not strings. */

const EMAIL = /^[^\s@]+@[^\s@]+$/;

export const newUserEmail = z.object({ email: z.string().trim().regex(EMAIL) });
export const newUserTeam = z.object({ team: z.object({ id: z.number().int() }) });

export const teamName = z.object({ name: z.string().trim().min(1).max(255) });

/** Id preferred when both are given, as the spec prefers ids. */
export const memberRef = z.union([z.object({ id: z.number().int() }), z.object({ email: z.string().trim().min(1) })]);

const dashboardLevel = z.enum(['viewer', 'editor', 'admin']);
const datasourceLevel = z.enum(['editor', 'admin']);

export const levelFor = (kind: 'dashboard' | 'datasource') => (kind === 'dashboard' ? dashboardLevel : datasourceLevel);

export const permissionSubject = z.union([
  z.object({ user_id: z.number().int(), team_id: z.undefined().optional() }),
  z.object({ team_id: z.number().int(), user_id: z.undefined().optional() }),
]);

export const accessLevelOf = (kind: 'dashboard' | 'datasource') => z.object({ access_level: levelFor(kind) });

export const datasourcePatch = z.object({
  alias: z.string().trim().min(1).optional(),
  last_refreshed_at: z.iso.datetime({ offset: true }).optional(),
});
