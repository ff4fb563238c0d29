import { OBJECT_ID, type EntraSourceConfig } from './schema.js';

export interface ScopeProblem {
  keyPath: string;
  message: string;
}

/**
 * Scope mistakes visible without Graph: `groups.ids` takes object ids, and a display name there
 * (a common slip: "BI Analysts") would only fail at read time with Graph's "Invalid object
 * identifier". Each problem names its config key.
 */
export function checkEntraScope(c: Pick<EntraSourceConfig, 'groups'>): ScopeProblem[] {
  const problems: ScopeProblem[] = [];
  const set = [
    c.groups.ids && 'ids',
    c.groups.displayNamePrefix !== undefined && 'displayNamePrefix',
    c.groups.filter && 'filter',
  ].filter(Boolean);
  if (set.length > 1)
    problems.push({
      keyPath: 'groups',
      message: `set one of groups.ids, groups.displayNamePrefix or groups.filter, not ${set.join(' and ')}`,
    });
  (c.groups.ids ?? []).forEach((id, i) => {
    if (OBJECT_ID.test(id.trim())) return;
    problems.push({
      keyPath: `groups.ids[${i}]`,
      message: `"${id}" looks like a group name, not an object id: groups.ids takes the group's Object ID (a GUID such as 0b1f0c3e-5c3a-4d2e-9a55-2f1d8c6b7e41, shown in the Entra admin centre); to pick groups by name use groups.displayNamePrefix or groups.filter`,
    });
  });
  return problems;
}
