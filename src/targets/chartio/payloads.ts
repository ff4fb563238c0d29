import { z } from 'zod';

/** Only the fields rostersync reads from the Chartio Admin API's HAL bodies (seed 001). */
const link = z.object({ href: z.string() });
const links = z.object({ next: link.optional() }).loose();
const id = z.union([z.number().int(), z.string().regex(/^\d+$/)]).transform(String);

export const userSchema = z
  .object({
    id,
    email: z.string(),
    display_name: z.string().nullable().optional(),
    _embedded: z
      .object({ teams: z.array(z.object({ id })).optional() })
      .loose()
      .optional(),
  })
  .loose();

export const teamSchema = z
  .object({
    id,
    name: z.string(),
    is_owner: z.boolean(),
    _embedded: z
      .object({ users: z.array(z.object({ id })).optional() })
      .loose()
      .optional(),
  })
  .loose();

export const usersPageSchema = z
  .object({ count: z.number().int().min(0), _links: links, users: z.array(userSchema) })
  .loose();
export const teamsPageSchema = z
  .object({ count: z.number().int().min(0), _links: links, teams: z.array(teamSchema) })
  .loose();
// The seed's examples spell some ids and counts as "33," (a typo in its docs): read the digits.
const num = z.union([z.number().int(), z.string().regex(/^\d+,?$/)]).transform((v) => String(v).replace(/,$/, ''));
const count = num.transform(Number);

/** Access (seed 001): dashboards, data sources and their user or team permissions. */
export const dashboardsPageSchema = z
  .object({
    count,
    _links: links,
    dashboards: z.array(z.object({ id: num, title: z.string() }).loose()),
  })
  .loose();
export const datasourcesPageSchema = z
  .object({
    count,
    _links: links,
    datasources: z.array(z.object({ id: num, alias: z.string() }).loose()),
  })
  .loose();
export const permissionSchema = z
  .object({
    id: num,
    access_level: z.string(),
    _embedded: z
      .object({ team: z.object({ id: num }).loose().optional(), user: z.object({ id: num }).loose().optional() })
      .loose(),
  })
  .loose();
export const permissionsPageSchema = z.object({ count, _links: links, permissions: z.array(permissionSchema) }).loose();

export const errorBodySchema = z.object({ message: z.string() }).loose();

export type ChartioUser = z.infer<typeof userSchema>;
export type ChartioTeam = z.infer<typeof teamSchema>;

/** Chartio's special team that only in-app dashboard sharing can add to. */
export const ADDED_FROM_DASHBOARD = 'Added from Dashboard';
