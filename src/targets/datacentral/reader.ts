import type { Actual, TargetTeam, TargetUser } from '../../model/index.js';
import type { DatacentralClient } from './client.js';
import { ROOT, roleSchema, unitSchema, userSchema, type DcRole } from './payloads.js';

export interface DatacentralRead {
  actual: Actual;
  /** Every role of the tenant (names as the tenant spells them). */
  roles: DcRole[];
}

/**
 * Roles, the unit tree and every user, each list read whole (items equal totalCount). A user's
 * role names are spelt as the tenant's role list spells them, so a rule's "admin" and the tenant's
 * "Admin" compare equal and plans stay stable.
 */
export async function readDatacentral(client: DatacentralClient): Promise<DatacentralRead> {
  const [roles, units, users] = await Promise.all([
    client.all('roles', roleSchema),
    client.all('organization-units', unitSchema),
    client.all('users', userSchema),
  ]);
  const spelling = new Map(roles.map((r) => [r.name.toLowerCase(), r.name]));
  const teams = new Map<string, TargetTeam>(
    units.map((u) => [
      u.id,
      {
        id: u.id,
        name: u.name,
        type: 'ou',
        memberIds: [],
        ...(u.parentId && u.parentId !== ROOT ? { parentId: u.parentId } : {}),
      },
    ]),
  );
  const out: TargetUser[] = users.map((u) => {
    for (const ou of u.organizationUnits) teams.get(ou)?.memberIds.push(u.id);
    const givenName = u.firstName ?? '';
    const familyName = u.lastName ?? '';
    return {
      id: u.id,
      email: u.email,
      displayName: [givenName, familyName].filter((n) => n).join(' ') || u.email,
      givenName,
      familyName,
      teamIds: u.organizationUnits,
      roles: { '': u.roles.map((r) => spelling.get(r.toLowerCase()) ?? r) },
    };
  });
  return { actual: { users: out, teams: [...teams.values()] }, roles };
}
