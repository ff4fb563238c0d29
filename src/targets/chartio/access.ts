import type { z } from 'zod';
import { TargetHttpError } from '../../errors/index.js';
import {
  RESOURCE_TYPE_WORDS,
  type Grant,
  type OpOf,
  type ResourceRef,
  type ResourceType,
  type TargetResource,
} from '../../model/index.js';
import { UnresolvedRefError } from '../op-errors.js';
import type { AccessScope, IdResolver, OpOutcome } from '../target.js';
import type { ChartioClient } from './client.js';
import { dashboardsPageSchema, datasourcesPageSchema, permissionSchema, permissionsPageSchema } from './payloads.js';
import { pool, readAll } from './reader.js';

/**
 * Seed 001: dashboards and data sources each hold up to 100 user or team permissions (viewer,
 * editor, admin; a data source takes editor or admin), listed as HAL pages; POST creates or updates
 * the one permission of a team, DELETE removes one by its id.
 */
const COLLECTION: Partial<Record<ResourceType, string>> = { dashboard: 'dashboards', datasource: 'datasources' };

const pathOf = (r: ResourceRef) => `${COLLECTION[r.type]}/${encodeURIComponent(r.id)}/permissions`;

/** The resources the scope reaches, each with its grants; one whose grants cannot be read is marked, not fatal. */
export async function readChartioAccess(
  client: ChartioClient,
  scope: AccessScope,
  concurrency: number,
): Promise<{ resources: TargetResource[]; requests: number }> {
  let requests = 0;
  const listed: ResourceRef[] = [];
  if (scope.types.includes('dashboard')) {
    const page = await readAll(client, 'dashboards', dashboardsPageSchema, (p) => p.dashboards, concurrency);
    requests += page.requests;
    listed.push(...page.items.map((d) => ({ type: 'dashboard' as const, id: d.id, title: d.title })));
  }
  if (scope.types.includes('datasource')) {
    const page = await readAll(client, 'datasources', datasourcesPageSchema, (p) => p.datasources, concurrency);
    requests += page.requests;
    listed.push(...page.items.map((d) => ({ type: 'datasource' as const, id: d.id, title: d.alias })));
  }
  const reached = listed.filter((r) => scope.reaches(r));
  const resources: TargetResource[] = [];
  await pool(reached, concurrency, async (r) => {
    try {
      const page = await readAll(client, pathOf(r), permissionsPageSchema, (p) => p.permissions, concurrency);
      requests += page.requests;
      resources.push({ ...r, grants: page.items.flatMap(grantOf) });
    } catch (err) {
      requests += 1;
      resources.push({ ...r, grants: [], unreadable: (err as Error).message });
    }
  });
  return { resources, requests };
}

function grantOf(p: z.infer<typeof permissionSchema>): Grant[] {
  const team = p._embedded.team;
  const user = p._embedded.user;
  const subject = team
    ? { kind: 'team' as const, id: team.id }
    : user
      ? { kind: 'user' as const, id: user.id }
      : undefined;
  return subject ? [{ subject, level: p.access_level, permissionId: p.id }] : [];
}

const words = (r: ResourceRef) => `${RESOURCE_TYPE_WORDS[r.type].one} "${r.title}" (id ${r.id})`;

/** setGrant: POST creates the team's permission or updates the one it has (the seed's upsert), so a retry is safe. */
export async function applyChartioGrant(
  client: ChartioClient,
  op: OpOf<'setGrant' | 'removeGrant'>,
  ids: IdResolver,
): Promise<OpOutcome> {
  if (op.kind === 'removeGrant') {
    try {
      const id = op.permissionId ?? (await permissionIdOf(client, op.resource, op.team.id));
      if (id === undefined) return { status: 'already-done', detail: 'the team holds no permission there' };
      await client.send('DELETE', `${pathOf(op.resource)}/${encodeURIComponent(id)}`);
      return { status: 'applied' };
    } catch (err) {
      if (err instanceof TargetHttpError && err.status === 404)
        return { status: 'already-done', detail: 'permission already gone' };
      throw err;
    }
  }
  const teamId = op.team.id ?? (await ids.teamId(op.team));
  if (teamId === undefined)
    throw new UnresolvedRefError(`team "${op.team.name}" has no id: the op that creates it did not succeed`);
  try {
    await client.send('POST', pathOf(op.resource), { team_id: Number(teamId), access_level: op.level });
    return { status: 'applied' };
  } catch (err) {
    // The seed names one 400 for all of these, and no status for the limit: say every cause.
    if (err instanceof TargetHttpError && err.status === 400)
      throw new TargetHttpError(
        400,
        `Chartio refused ${op.level} for team "${op.team.name}" on ${words(op.resource)}: the team is not in the org, the level is not one this resource takes, or it already holds 100 permissions (${err.apiMessage})`,
        err.request,
      );
    throw err;
  }
}

/** The team's permission id on a resource (a removal planned without one). */
async function permissionIdOf(client: ChartioClient, r: ResourceRef, teamId: string): Promise<string | undefined> {
  const page = await readAll(client, pathOf(r), permissionsPageSchema, (p) => p.permissions, 1);
  return page.items.find((p) => p._embedded.team?.id === teamId)?.id;
}
