/** Grafana server versions and what they support. */

/** The first version with PUT /api/teams/:id/members (a team's whole member list in one call). */
export const WHOLE_TEAM_MEMBERSHIP_SINCE = [11, 1, 0] as const;

export function parseVersion(v: string): [number, number, number] | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)/.exec(v.trim());
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

export function hasWholeTeamMembership(version: string): boolean {
  const v = parseVersion(version);
  if (!v) return false;
  for (let i = 0; i < 3; i++)
    if (v[i] !== WHOLE_TEAM_MEMBERSHIP_SINCE[i]) return v[i]! > WHOLE_TEAM_MEMBERSHIP_SINCE[i]!;
  return true;
}
