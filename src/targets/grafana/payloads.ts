import { z } from 'zod';

/** Only the fields rostersync reads from Grafana's HTTP API answers. */
const id = z.union([z.number().int(), z.string().regex(/^\d+$/)]).transform(String);

export const healthSchema = z.object({ version: z.string().optional() }).loose();
export const orgSchema = z.object({ id, name: z.string() }).loose();
export const orgsSchema = z.array(orgSchema);
export const orgUserSchema = z
  .object({ userId: id, email: z.string(), login: z.string(), name: z.string().optional(), role: z.string() })
  .loose();
export const orgUsersSchema = z.array(orgUserSchema);
export const orgUsersPageSchema = z
  .object({ totalCount: z.number().int().min(0), orgUsers: z.array(orgUserSchema) })
  .loose();
export const teamSchema = z.object({ id, name: z.string() }).loose();
export const teamsPageSchema = z.object({ totalCount: z.number().int().min(0), teams: z.array(teamSchema) }).loose();
export const teamMemberSchema = z
  .object({ userId: id, email: z.string().optional(), login: z.string().optional(), permission: z.number().optional() })
  .loose();
export const teamMembersSchema = z.array(teamMemberSchema);
export const userSchema = z
  .object({
    id,
    email: z.string(),
    login: z.string(),
    name: z.string().optional(),
    isAdmin: z.boolean().optional(),
    isGrafanaAdmin: z.boolean().optional(),
  })
  .loose();
export const usersPageSchema = z.object({ totalCount: z.number().int().min(0), users: z.array(userSchema) }).loose();
export const createdTeamSchema = z.object({ teamId: id }).loose();
export const createdUserSchema = z.object({ id }).loose();
export const addedOrgUserSchema = z.object({ userId: id.optional() }).loose();
/** GET /api/search hits (folders and dashboards). */
export const searchHitsSchema = z.array(
  z.object({ uid: z.string(), title: z.string(), type: z.string(), folderUid: z.string().optional() }).loose(),
);
/** GET /api/access-control/{folders|dashboards}/:uid rows (isInherited is absent on older servers). */
export const acPermissionsSchema = z.array(
  z
    .object({
      isManaged: z.boolean(),
      isInherited: z.boolean().optional(),
      userId: z.number().int().optional(),
      teamId: z.number().int().optional(),
      builtInRole: z.string().optional(),
      permission: z.string(),
    })
    .loose(),
);
/** GET /api/folders/:uid/permissions and /api/dashboards/uid/:uid/permissions rows (DashboardACLInfoDTO). */
export const legacyPermissionsSchema = z.array(
  z
    .object({
      userId: z.number().int().optional(),
      teamId: z.number().int().optional(),
      role: z.string().nullable().optional(),
      permission: z.number().int(),
      inherited: z.boolean().optional(),
    })
    .loose(),
);
export const errorBodySchema = z.object({ message: z.string() }).loose();

/** Team member permission Grafana uses for a team admin. */
export const TEAM_ADMIN_PERMISSION = 4;
