/**
 * Folders and dashboards of each org, with their managed permissions (Grafana keeps both kinds in
 * the dashboard table and their grants as managed RBAC roles: one level per user, team or
 * built-in role on each resource).
 */

export type Level = 'View' | 'Edit' | 'Admin';
export const LEVELS: readonly Level[] = ['View', 'Edit', 'Admin'];
/** The legacy API's numbers for the levels (dashboardaccess.PermissionType: 1, 2, 4). */
export const LEVEL_NUMBER: Record<Level, number> = { View: 1, Edit: 2, Admin: 4 };
export const levelOfNumber = (n: number): Level | undefined => LEVELS.find((l) => LEVEL_NUMBER[l] === n);

export type GrantSubject = { kind: 'user'; id: number } | { kind: 'team'; id: number } | { kind: 'role'; id: string };

export interface GrantRec {
  /** The permission row's id. */
  id: number;
  subject: GrantSubject;
  level: Level;
  created: string;
  updated: string;
}

export interface ResourceRec {
  kind: 'folder' | 'dashboard';
  /** The dashboard table's id (folders and dashboards share it). */
  id: number;
  uid: string;
  orgId: number;
  title: string;
  /** The containing folder ('' at the root). */
  folderUid: string;
  /** Login of the creator ('Anonymous' for a service account or a seed). */
  createdBy: string;
  created: string;
  updated: string;
  version: number;
  grants: GrantRec[];
}

const sameSubject = (a: GrantSubject, b: GrantSubject) => a.kind === b.kind && a.id === b.id;
const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** Grafana's slugify, reduced to what titles in tests use: lower case, runs of other characters to '-'. */
export const slugOf = (title: string) =>
  title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');

export class ResourceStore {
  /** `${orgId}/${uid}`: folders and dashboards share one uid space per org. */
  readonly byKey = new Map<string, ResourceRec>();
  private nextId = 1;
  private nextGrant = 1;
  private nextUid = 1;

  constructor(private readonly stamp: () => string) {}

  get(orgId: number, uid: string, kind?: ResourceRec['kind']): ResourceRec | undefined {
    const r = this.byKey.get(`${orgId}/${uid}`);
    return r && (kind === undefined || r.kind === kind) ? r : undefined;
  }

  /** A fresh uid: Grafana generates 14 characters; a counter keeps answers reproducible. */
  newUid(): string {
    let n = this.nextUid++;
    let s = '';
    for (let i = 0; i < 14; i++) {
      s = ALPHABET[n % ALPHABET.length]! + s;
      n = Math.floor(n / ALPHABET.length);
    }
    return s;
  }

  create(fields: Omit<ResourceRec, 'id' | 'created' | 'updated' | 'version' | 'grants'>): ResourceRec {
    const at = this.stamp();
    const rec: ResourceRec = { ...fields, id: this.nextId++, created: at, updated: at, version: 1, grants: [] };
    this.byKey.set(`${rec.orgId}/${rec.uid}`, rec);
    return rec;
  }

  of(orgId: number, kind?: ResourceRec['kind']): ResourceRec[] {
    return [...this.byKey.values()].filter((r) => r.orgId === orgId && (kind === undefined || r.kind === kind));
  }

  /** Sets one subject's level, or removes it with ''; the row keeps its place (and id) when changed. */
  setGrant(res: ResourceRec, subject: GrantSubject, level: Level | ''): boolean {
    const i = res.grants.findIndex((g) => sameSubject(g.subject, subject));
    const current = i >= 0 ? res.grants[i] : undefined;
    if (level === '') {
      if (!current) return false;
      res.grants.splice(i, 1);
      return true;
    }
    if (current?.level === level) return false;
    if (current) {
      current.level = level;
      current.updated = this.stamp();
    } else {
      const at = this.stamp();
      res.grants.push({ id: this.nextGrant++, subject, level, created: at, updated: at });
    }
    return true;
  }

  /** The folders above a resource, nearest first (their grants are inherited). */
  ancestors(res: ResourceRec): ResourceRec[] {
    const out: ResourceRec[] = [];
    let uid = res.folderUid;
    while (uid) {
      const parent = this.get(res.orgId, uid, 'folder');
      if (!parent || out.includes(parent)) break;
      out.push(parent);
      uid = parent.folderUid;
    }
    return out;
  }

  /** A deleted team or user loses its grants everywhere. */
  dropSubject(subject: GrantSubject): void {
    for (const r of this.byKey.values()) r.grants = r.grants.filter((g) => !sameSubject(g.subject, subject));
  }
}
