import type { Hrefs } from './hal.js';
import type { ResourceStore } from './resources.js';
import type { OrgStore } from './store.js';
import type { Reply, ResolvedOptions } from './types.js';

export interface Ctx {
  store: OrgStore;
  resources: ResourceStore;
  hrefs: Hrefs;
  options: ResolvedOptions;
  params: Record<string, string>;
  query: URLSearchParams;
  /** Parsed JSON body (undefined when empty). */
  body: unknown;
}

export type Handler = (ctx: Ctx) => Reply;

export const fail = (status: number, message: string, headers?: Record<string, string>): Reply => ({
  status,
  body: { message },
  ...(headers ? { headers } : {}),
});

export const json = (status: number, body: unknown, applied = false, headers?: Record<string, string>): Reply => ({
  status,
  body,
  applied,
  ...(headers ? { headers } : {}),
});

const thousands = (n: number) => n.toLocaleString('en-US');

/** The spec's wording, so clients can show the API's message as-is. */
export const MSG = {
  unauthorized: 'Unauthorized. The provided api_key and secret combination is invalid.',
  forbidden: 'Forbidden. The api_key is not allowed to access the content provided by the requested URL.',
  notFound: 'Not found.',
  invalidPage: 'Invalid page.',
  malformed: 'Malformed JSON request body.',
  rateLimited: 'Request was throttled: the API allows a limited number of requests per window per IP.',
  serverError: 'The server encountered an error.',
  userNotFound: 'User was not found.',
  userCap: (n: number) => `Orgs are limited to ${thousands(n)} users.`,
  teamCap: (n: number) => `Orgs are limited to ${thousands(n)} teams.`,
  existingTeam: 'An existing team must be provided.',
  validEmail: 'A valid email address must be provided.',
  userExists: 'User with matching email already exists in the org and on the specified team.',
  lastOwnerDelete: 'User was last member of the owners team.',
  teamName: 'A team name must be provided.',
  teamExists: 'A team with the same name already exists.',
  teamNotFound: 'The team was not found.',
  teamModify: 'Attempted to modify the Owners or "Added from Dashboard" teams, which cannot be modified.',
  teamDelete: 'Attempted to delete the Owners or "Added from Dashboard" teams, which cannot be deleted.',
  memberRef: 'A user id or email must be provided.',
  dashboardAdd:
    'Attempted to add a user to the "Added from Dashboard" team, which can only be modified by sharing a dashboard with a non-user from within the app.',
  alreadyMember: 'User is already a member of this team.',
  onlyTeam:
    'Users must belong to at least one team. Deleting the user from their only team is not allowed; delete the user instead.',
  lastOwner: 'The owners team must always have at least one member; the last user cannot be removed from it.',
  notMember: 'User was not a member of this team.',
  dashboardNotFound: 'Dashboard was not found.',
  datasourceNotFound: 'DataSource was not found.',
  permissionNotFound: 'Permission was not found.',
  permissionInvalid:
    'Attempted to create a permission with a user or team which does not exist in the org, or an invalid permission value.',
  permissionCap: (n: number) => `Permissions are limited to ${n} per data source or dashboard.`,
  accessLevel: 'An invalid access level was provided.',
  invalidProperty: 'Attempted to set a property to an invalid value.',
  taskNotFound: 'Task was not found.',
} as const;
