import { ResourceStore } from './resources.js';
import { DASHBOARD_TEAM_NAME, OrgStore } from './store.js';
import type { PreloadData, ResolvedOptions } from './types.js';

/** The member of "Added from Dashboard" when the option asks for that team. */
export const SHARED_VIEWER_EMAIL = 'shared-viewer@example.com';

/** The org's users and teams, and its dashboards and datasources. */
export interface ChartioState {
  store: OrgStore;
  resources: ResourceStore;
}

/** A fresh org: Owners with one owner, optionally "Added from Dashboard", then the preload. */
export function initialState(o: ResolvedOptions): ChartioState {
  const store = new OrgStore(o.now, o.ownerEmail);
  const resources = new ResourceStore(o.now);
  if (o.addedFromDashboard) {
    const team = store.createTeam(DASHBOARD_TEAM_NAME, 'dashboard');
    store.addMember(team.id, store.ensureUser(SHARED_VIEWER_EMAIL).id);
  }
  if (o.preload) preload(store, resources, o.preload);
  return { store, resources };
}

/** Bulk load without HTTP and without caps; names and emails that exist are merged. */
export function preload(store: OrgStore, resources: ResourceStore, data: PreloadData): void {
  for (const t of data.teams ?? []) {
    const spec = typeof t === 'string' ? { name: t } : t;
    const team = store.ensureTeam(spec.name);
    for (const email of spec.members ?? []) store.addMember(team.id, store.ensureUser(email).id);
  }
  for (const u of data.users ?? []) {
    const spec = typeof u === 'string' ? { email: u } : u;
    const user = store.ensureUser(spec.email, spec.displayName);
    for (const name of spec.teams ?? []) store.addMember(store.ensureTeam(name).id, user.id);
  }
  for (const d of data.dashboards ?? []) resources.addDashboard(d.title, d.slug, d.linkSharingAccess);
  for (const d of data.datasources ?? []) resources.addDatasource(d.alias, d.slug, d.dstype);
}
