import { randomUUID } from 'node:crypto';
import { isoSeconds } from './store.js';
import type { AccessLevel } from './types.js';

/** Dashboards and datasources with their user/team permissions (seeded, then managed over the API). */

export type Subject = { kind: 'user'; id: number } | { kind: 'team'; id: number };

export interface PermissionRec {
  id: number;
  subject: Subject;
  accessLevel: AccessLevel;
}

export interface DashboardRec {
  kind: 'dashboard';
  id: number;
  slug: string;
  title: string;
  linkSharingAccess: 'none' | 'viewer' | 'editor';
  createdAt: string;
  updatedAt: string;
  permissions: Map<number, PermissionRec>;
}

export interface DatasourceRec {
  kind: 'datasource';
  id: number;
  alias: string;
  slug: string;
  dstype: string;
  createdAt: string;
  updatedAt: string;
  lastReflected: string | null;
  lastRefreshedAt: string | null;
  permissions: Map<number, PermissionRec>;
  /** Schema-sync task ids and how many times each was polled. */
  tasks: Map<string, number>;
}

export type ResourceRec = DashboardRec | DatasourceRec;

export const slugify = (s: string): string =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '') || 'item';

export class ResourceStore {
  readonly dashboards = new Map<number, DashboardRec>();
  readonly datasources = new Map<number, DatasourceRec>();
  private nextDashboardId = 1;
  private nextDatasourceId = 1;
  private nextPermissionId = 1;

  constructor(private readonly now: () => number) {}

  addDashboard(
    title: string,
    slug?: string,
    linkSharingAccess: DashboardRec['linkSharingAccess'] = 'none',
  ): DashboardRec {
    const at = isoSeconds(this.now());
    const rec: DashboardRec = {
      kind: 'dashboard',
      id: this.nextDashboardId++,
      slug: slug ?? slugify(title),
      title,
      linkSharingAccess,
      createdAt: at,
      updatedAt: at,
      permissions: new Map(),
    };
    this.dashboards.set(rec.id, rec);
    return rec;
  }

  addDatasource(alias: string, slug?: string, dstype = 'PostgreSQL'): DatasourceRec {
    const at = isoSeconds(this.now());
    const rec: DatasourceRec = {
      kind: 'datasource',
      id: this.nextDatasourceId++,
      alias,
      slug: slug ?? slugify(alias),
      dstype,
      createdAt: at,
      updatedAt: at,
      lastReflected: null,
      lastRefreshedAt: null,
      permissions: new Map(),
      tasks: new Map(),
    };
    this.datasources.set(rec.id, rec);
    return rec;
  }

  /** Create, or update the permission that already names the same user or team. */
  upsertPermission(
    rec: ResourceRec,
    subject: Subject,
    accessLevel: AccessLevel,
  ): { perm: PermissionRec; created: boolean } {
    for (const perm of rec.permissions.values()) {
      if (perm.subject.kind === subject.kind && perm.subject.id === subject.id) {
        perm.accessLevel = accessLevel;
        return { perm, created: false };
      }
    }
    const perm: PermissionRec = { id: this.nextPermissionId++, subject, accessLevel };
    rec.permissions.set(perm.id, perm);
    return { perm, created: true };
  }

  /** A deleted user or team loses its permissions everywhere. */
  dropSubject(subject: Subject): void {
    for (const rec of [...this.dashboards.values(), ...this.datasources.values()]) {
      for (const [id, perm] of rec.permissions) {
        if (perm.subject.kind === subject.kind && perm.subject.id === subject.id) rec.permissions.delete(id);
      }
    }
  }

  startSchemaSync(ds: DatasourceRec): string {
    const taskId = randomUUID();
    ds.tasks.set(taskId, 0);
    return taskId;
  }
}
