/** Grafana server versions and what they support. */

/** The first version with PUT /api/teams/:id/members (a team's whole member list in one call). */
export const WHOLE_TEAM_MEMBERSHIP_SINCE = [11, 1, 0] as const;

export function parseVersion(v: string): [number, number, number] | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)/.exec(v.trim());
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

/**
 * The first version whose folder and dashboard permissions are served by access control
 * (POST /api/access-control/{folders|dashboards}/:uid/teams/:teamId sets one team alone).
 */
export const ACCESS_CONTROL_PERMISSIONS_SINCE = [9, 0, 0] as const;

function atLeast(version: string, since: readonly [number, number, number]): boolean {
  const v = parseVersion(version);
  if (!v) return false;
  for (let i = 0; i < 3; i++) if (v[i] !== since[i]) return v[i]! > since[i]!;
  return true;
}

export const hasWholeTeamMembership = (version: string) => atLeast(version, WHOLE_TEAM_MEMBERSHIP_SINCE);
export const hasAccessControlPermissions = (version: string) => atLeast(version, ACCESS_CONTROL_PERMISSIONS_SINCE);
