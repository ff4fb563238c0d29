import type { PermissionRec, ResourceRec, DashboardRec, DatasourceRec } from './resources.js';
import type { OrgStore, TeamRec, UserRec } from './store.js';

/** HAL hrefs shaped like the spec's examples: `/example-org/users/2/`, `/example-org/users/?page=2`. */
export class Hrefs {
  readonly base: string;
  constructor(hrefBase: string, org: string) {
    this.base = `${hrefBase.replace(/\/+$/, '')}/${org}`;
  }
  root = () => `${this.base}/`;
  users = () => `${this.base}/users/`;
  user = (id: number) => `${this.base}/users/${id}/`;
  teams = () => `${this.base}/teams/`;
  team = (id: number) => `${this.base}/teams/${id}/`;
  dashboards = () => `${this.base}/dashboards/`;
  datasources = () => `${this.base}/datasources/`;
  /** Dashboards have no trailing slash in the spec's examples; datasources do. */
  resource = (r: ResourceRec) =>
    r.kind === 'dashboard' ? `${this.base}/dashboards/${r.id}` : `${this.base}/datasources/${r.id}/`;
  permissions = (r: ResourceRec) => `${this.resource(r).replace(/\/$/, '')}/permissions/`;
  permission = (r: ResourceRec, id: number) => `${this.permissions(r)}${id}/`;
  schemaSync = (r: DatasourceRec) => `${this.base}/datasources/${r.id}/schema-sync/`;
  schemaTask = (r: DatasourceRec, task: string) => `${this.base}/datasources/${r.id}/schema-sync/tasks/${task}`;
}

const link = (href: string) => ({ href });

export function userBody(store: OrgStore, hrefs: Hrefs, u: UserRec) {
  const teams = [];
  for (const id of u.teams) {
    const t = store.teams.get(id);
    if (t) teams.push({ _links: { self: link(hrefs.team(t.id)) }, id: t.id, name: t.name });
  }
  return {
    id: u.id,
    email: u.email,
    display_name: u.displayName,
    created_at: u.createdAt,
    updated_at: u.updatedAt,
    _links: { self: link(hrefs.user(u.id)) },
    _embedded: { teams },
  };
}

export function userSummary(hrefs: Hrefs, u: UserRec) {
  return { _links: { self: link(hrefs.user(u.id)) }, id: u.id, email: u.email, display_name: u.displayName };
}

export function teamBody(store: OrgStore, hrefs: Hrefs, t: TeamRec) {
  const users = [];
  for (const id of t.members) {
    const u = store.users.get(id);
    if (u) users.push(userSummary(hrefs, u));
  }
  return {
    id: t.id,
    name: t.name,
    is_owner: t.kind === 'owners',
    created_at: t.createdAt,
    updated_at: t.updatedAt,
    _links: { self: link(hrefs.team(t.id)) },
    _embedded: { users },
  };
}

export function dashboardBody(hrefs: Hrefs, d: DashboardRec) {
  return {
    _links: { self: link(hrefs.resource(d)), permissions: link(hrefs.permissions(d).replace(/\/$/, '')) },
    id: d.id,
    slug: d.slug,
    title: d.title,
    link_sharing_access: d.linkSharingAccess,
    created_at: d.createdAt,
    updated_at: d.updatedAt,
  };
}

export function datasourceBody(hrefs: Hrefs, d: DatasourceRec) {
  return {
    id: d.id,
    alias: d.alias,
    dstype: d.dstype,
    slug: d.slug,
    created_at: d.createdAt,
    updated_at: d.updatedAt,
    last_reflected: d.lastReflected,
    last_refreshed_at: d.lastRefreshedAt,
    _links: {
      self: link(hrefs.resource(d)),
      permissions: link(hrefs.permissions(d)),
      'schema-sync': link(hrefs.schemaSync(d)),
    },
  };
}

export function permissionBody(store: OrgStore, hrefs: Hrefs, r: ResourceRec, p: PermissionRec) {
  const s = p.subject;
  let embedded: Record<string, unknown> = {};
  if (s.kind === 'user') {
    const u = store.users.get(s.id);
    if (u) embedded = { user: userSummary(hrefs, u) };
  } else {
    const t = store.teams.get(s.id);
    if (t) embedded = { team: { _links: { self: link(hrefs.team(t.id)) }, id: t.id, name: t.name } };
  }
  return {
    _links: { self: link(hrefs.permission(r, p.id)) },
    _embedded: embedded,
    id: p.id,
    access_level: p.accessLevel,
  };
}

export type PageSlice = { ok: true; page: number; start: number; end: number } | { ok: false };

/** `?page=N` (1-based, default 1). Like Django REST framework: a page past the last one is invalid (404). */
export function pageSlice(total: number, pageParam: string | null, pageSize: number): PageSlice {
  const page = pageParam === null || pageParam === '' ? 1 : /^\d+$/.test(pageParam) ? Number(pageParam) : 0;
  const last = Math.max(1, Math.ceil(total / pageSize));
  if (page < 1 || page > last) return { ok: false };
  const start = (page - 1) * pageSize;
  return { ok: true, page, start, end: Math.min(total, start + pageSize) };
}

/** A collection page: `count` is the collection total, `_links` has self and next/previous when they exist. */
export function collectionBody(
  key: string,
  href: string,
  total: number,
  pageSize: number,
  page: number,
  items: unknown[],
) {
  const at = (n: number) => link(`${href}?page=${n}`);
  const last = Math.max(1, Math.ceil(total / pageSize));
  const links: Record<string, { href: string }> = { self: page === 1 ? link(href) : at(page) };
  if (page < last) links.next = at(page + 1);
  if (page > 1) links.previous = at(page - 1);
  return { _links: links, count: total, [key]: items };
}
