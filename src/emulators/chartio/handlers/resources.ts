import { collectionBody, dashboardBody, datasourceBody, pageSlice } from '../hal.js';
import { fail, json, MSG, type Ctx, type Handler } from '../context.js';
import type { DatasourceRec, ResourceRec } from '../resources.js';
import { datasourcePatch } from '../schemas.js';
import { isoSeconds } from '../store.js';

export const root: Handler = (c) => {
  const links = {
    'chartio:users': { href: c.hrefs.users() },
    'chartio:teams': { href: c.hrefs.teams() },
    'chartio:dashboards': { href: c.hrefs.dashboards() },
    'chartio:datasources': { href: c.hrefs.datasources() },
  };
  // The spec lists the collection links under `_embedded`; HAL puts them in `_links`: both are given.
  return json(200, {
    _links: {
      self: { href: c.hrefs.root() },
      curies: [{ name: 'chartio', href: '/docs/{rel}', templated: true }],
      ...links,
    },
    _embedded: links,
  });
};

/** A dashboard or datasource by the route's id param, or undefined. */
export function resourceOf(c: Ctx): ResourceRec | undefined {
  const dash = c.params.dashboardId;
  if (dash !== undefined) return /^\d+$/.test(dash) ? c.resources.dashboards.get(Number(dash)) : undefined;
  const ds = c.params.datasourceId ?? '';
  return /^\d+$/.test(ds) ? c.resources.datasources.get(Number(ds)) : undefined;
}

export const notFoundMessage = (c: Ctx) =>
  c.params.dashboardId !== undefined ? MSG.dashboardNotFound : MSG.datasourceNotFound;

export const listDashboards: Handler = (c) => {
  const all = [...c.resources.dashboards.values()];
  const slice = pageSlice(all.length, c.query.get('page'), c.options.pageSize);
  if (!slice.ok) return fail(404, MSG.invalidPage);
  const items = all.slice(slice.start, slice.end).map((d) => dashboardBody(c.hrefs, d));
  return json(
    200,
    collectionBody('dashboards', c.hrefs.dashboards(), all.length, c.options.pageSize, slice.page, items),
  );
};

export const getDashboard: Handler = (c) => {
  const d = resourceOf(c);
  if (d?.kind !== 'dashboard') return fail(404, MSG.dashboardNotFound);
  return json(200, dashboardBody(c.hrefs, d));
};

export const listDatasources: Handler = (c) => {
  const all = [...c.resources.datasources.values()];
  const slice = pageSlice(all.length, c.query.get('page'), c.options.pageSize);
  if (!slice.ok) return fail(404, MSG.invalidPage);
  const items = all.slice(slice.start, slice.end).map((d) => datasourceBody(c.hrefs, d));
  return json(
    200,
    collectionBody('datasources', c.hrefs.datasources(), all.length, c.options.pageSize, slice.page, items),
  );
};

export const getDatasource: Handler = (c) => {
  const d = resourceOf(c);
  if (d?.kind !== 'datasource') return fail(404, MSG.datasourceNotFound);
  return json(200, datasourceBody(c.hrefs, d));
};

const TEN_MINUTES = 10 * 60_000;

/** alias and last_refreshed_at; the latter must be within 10 minutes of the server's clock, as documented. */
export const patchDatasource: Handler = (c) => {
  const d = resourceOf(c);
  if (d?.kind !== 'datasource') return fail(404, MSG.datasourceNotFound);
  const body = datasourcePatch.safeParse(c.body ?? {});
  if (!body.success) return fail(400, MSG.invalidProperty);
  const { alias, last_refreshed_at: refreshed } = body.data;
  if (refreshed !== undefined && Math.abs(Date.parse(refreshed) - c.options.now()) > TEN_MINUTES)
    return fail(400, MSG.invalidProperty);
  if (alias !== undefined) d.alias = alias;
  if (refreshed !== undefined) d.lastRefreshedAt = isoSeconds(Date.parse(refreshed));
  const applied = alias !== undefined || refreshed !== undefined;
  if (applied) d.updatedAt = isoSeconds(c.options.now());
  return json(200, datasourceBody(c.hrefs, d), applied);
};

/** Starts a schema sync: 202 + Location of the task to poll. */
export const startSchemaSync: Handler = (c) => {
  const d = resourceOf(c);
  if (d?.kind !== 'datasource') return fail(404, MSG.datasourceNotFound);
  const taskId = c.resources.startSchemaSync(d);
  return json(202, { task_id: taskId }, true, { location: c.hrefs.schemaTask(d, taskId) });
};

/**
 * Task status, following the spec's codes: 200 {task_id} while the sync runs (first poll),
 * then 202 with the result.
 */
export const getSchemaSyncTask: Handler = (c) => {
  const d = resourceOf(c) as DatasourceRec | undefined;
  if (d?.kind !== 'datasource') return fail(404, MSG.datasourceNotFound);
  const taskId = c.params.taskId!;
  const polls = d.tasks.get(taskId);
  if (polls === undefined) return fail(404, MSG.taskNotFound);
  d.tasks.set(taskId, polls + 1);
  if (polls === 0) return json(200, { task_id: taskId });
  d.lastReflected = isoSeconds(c.options.now());
  return json(202, {
    success: true,
    message: 'Schema sync completed.',
    added_objects: { num_columns: '0', num_tables: '0', num_schemas: '0', num_foreign_keys: '0' },
  });
};
