import type { z } from 'zod';
import type { Grant, GrantSubject, ResourceRef, ResourceType, TargetResource } from '../../model/index.js';
import type { AccessScope } from '../target.js';
import type { GrafanaClient, OrgContext } from './client.js';
import { acPermissionsSchema, legacyPermissionsSchema, searchHitsSchema } from './payloads.js';
import { orgContainerId, pool } from './reader.js';

/** Which permissions API reads (and writes) grants: access control per subject, or the legacy whole list. */
export type PermissionsApi = 'access-control' | 'legacy';

/** Folder and dashboard levels, lowest first, with the legacy API's numbers. */
export const GRAFANA_LEVELS = ['View', 'Edit', 'Admin'] as const;
export const LEVEL_NUMBERS: Record<string, number> = { View: 1, Edit: 2, Admin: 4 };
const levelOf = (n: number) => Object.keys(LEVEL_NUMBERS).find((l) => LEVEL_NUMBERS[l] === n);

/** Search's largest page (a larger limit is a 422). */
const SEARCH_PAGE = 5000;
const SEARCH_TYPE: Partial<Record<ResourceType, string>> = { folder: 'dash-folder', dashboard: 'dash-db' };
const AC_PATH: Partial<Record<ResourceType, string>> = { folder: 'folders', dashboard: 'dashboards' };

/** The resource's permissions path: access control's, or the legacy list's. */
export function permissionsPath(api: PermissionsApi, ref: ResourceRef): string {
  const uid = encodeURIComponent(ref.id);
  if (api === 'access-control') return `api/access-control/${AC_PATH[ref.type]}/${uid}`;
  return ref.type === 'folder' ? `api/folders/${uid}/permissions` : `api/dashboards/uid/${uid}/permissions`;
}

export interface AccessRead {
  resources: TargetResource[];
  requests: number;
}

interface Listed extends ResourceRef {
  /** The containing folder, where Grafana names one. */
  parent?: string;
}

/**
 * The folders and dashboards the profile's access rules reach, in each org read, with their own
 * grants. Listing goes through search (a failed page fails the read, as every listing does); one
 * resource whose permissions cannot be read is kept with `unreadable` set, so nothing is written to it.
 */
export async function readGrafanaAccess(
  client: GrafanaClient,
  orgs: OrgContext[],
  scope: AccessScope,
  api: PermissionsApi,
  concurrency = 4,
): Promise<AccessRead> {
  let requests = 0;
  const get = <T>(path: string, schema: z.ZodType<T>, auth: object): Promise<T> => {
    requests += 1;
    return client.get(path, schema, auth);
  };
  const resources: TargetResource[] = [];
  for (const org of orgs) {
    const auth = client.orgAuth(org);
    const listed: Listed[] = [];
    for (const type of scope.types.filter((t) => SEARCH_TYPE[t] !== undefined))
      listed.push(...(await listType(org, type, (path) => get(path, searchHitsSchema, auth))));
    const reached = listed.filter((r) => scope.reaches({ type: r.type, id: r.id, title: r.title, org: r.org }));
    const grants = permissionsReader(api, (path, schema) => get(path, schema, auth));
    await pool(reached, concurrency, async (r) => {
      const { parent, ...ref } = r;
      try {
        resources.push({ ...ref, grants: await grants(r, parent) });
      } catch (err) {
        resources.push({
          ...ref,
          grants: [],
          unreadable: `its permissions could not be read: ${(err as Error).message}`,
        });
      }
    });
  }
  resources.sort(
    (a, b) => (a.org ?? '').localeCompare(b.org ?? '') || a.type.localeCompare(b.type) || a.id.localeCompare(b.id),
  );
  return { resources, requests };
}

/** Every page of one type (search has no total: the read ends at a short page). */
async function listType(
  org: OrgContext,
  type: ResourceType,
  get: (path: string) => Promise<z.infer<typeof searchHitsSchema>>,
): Promise<Listed[]> {
  const out: Listed[] = [];
  for (let page = 1; ; page++) {
    const hits = await get(`api/search?type=${SEARCH_TYPE[type]}&limit=${SEARCH_PAGE}&page=${page}`);
    for (const h of hits)
      out.push({
        type,
        id: h.uid,
        title: h.title,
        org: orgContainerId(org.id),
        ...(h.folderUid ? { parent: h.folderUid } : {}),
      });
    if (hits.length < SEARCH_PAGE) return out;
  }
}

type GetIn = <T>(path: string, schema: z.ZodType<T>) => Promise<T>;

/**
 * How one resource's own grants are read. Access control marks inherited rows: only managed,
 * non-inherited ones are kept. The legacy list marks none (a dashboard lists its folder's grants,
 * and a nested folder its parents', as its own): the rows equal to one of the parent folder's list
 * (which holds the grandparents' too) are left out, read once per folder.
 */
function permissionsReader(api: PermissionsApi, get: GetIn): (r: Listed, parent?: string) => Promise<Grant[]> {
  if (api === 'access-control')
    return async (r) =>
      (await get(permissionsPath(api, r), acPermissionsSchema))
        .filter((p) => p.isManaged && !p.isInherited)
        .flatMap((p) => grant(subjectOf(p.userId, p.teamId, p.builtInRole), p.permission));
  const folders = new Map<string, Promise<Grant[]>>();
  const legacy = async (ref: ResourceRef): Promise<Grant[]> =>
    (await get(permissionsPath(api, ref), legacyPermissionsSchema))
      .filter((p) => !p.inherited)
      .flatMap((p) => grant(subjectOf(p.userId, p.teamId, p.role ?? undefined), levelOf(p.permission)));
  return async (r, parent) => {
    const own = await legacy(r);
    if (!parent) return own;
    let up = folders.get(parent);
    if (!up) folders.set(parent, (up = legacy({ type: 'folder', id: parent, title: parent })));
    const inherited = new Set((await up).map(key));
    return own.filter((g) => !inherited.has(key(g)));
  };
}

function subjectOf(userId?: number, teamId?: number, role?: string): GrantSubject | undefined {
  if (teamId) return { kind: 'team', id: String(teamId) };
  if (userId) return { kind: 'user', id: String(userId) };
  return role ? { kind: 'role', id: role } : undefined;
}

const grant = (subject: GrantSubject | undefined, level: string | undefined): Grant[] =>
  subject && level ? [{ subject, level }] : [];

const key = (g: Grant) => `${g.subject.kind}:${g.subject.id}:${g.level}`;
