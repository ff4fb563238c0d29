/**
 * Access as code: the permissions teams hold on a target's resources (dashboards, data sources,
 * folders), normalised like users and teams. A target reads them into these shapes and declares
 * how it writes them; the planner owns a grant only when its subject is a team the sync manages.
 */

export type ResourceType = 'dashboard' | 'datasource' | 'folder';

export const RESOURCE_TYPES: readonly ResourceType[] = ['dashboard', 'datasource', 'folder'];

/** How plans, warnings and errors name a resource type: one of it, and several. */
export const RESOURCE_TYPE_WORDS: Record<ResourceType, { one: string; many: string }> = {
  dashboard: { one: 'dashboard', many: 'dashboards' },
  datasource: { one: 'data source', many: 'data sources' },
  folder: { one: 'folder', many: 'folders' },
};

/** One dashboard, data source or folder, as a plan names it. */
export interface ResourceRef {
  type: ResourceType;
  /** The target's id (a number, or a uid), as a string. */
  id: string;
  title: string;
  /** The org container holding it (targets with orgs: a team's grants are on its own org's resources). */
  org?: string;
}

/** Who a grant is for: a team, a user, or a built-in role (e.g. Viewer, Editor). */
export interface GrantSubject {
  kind: 'team' | 'user' | 'role';
  /** Team or user id; the role's name for a role. */
  id: string;
}

export interface Grant {
  subject: GrantSubject;
  /** The target's own word for the level (viewer/editor/admin; View/Edit/Admin). */
  level: string;
  /** The target's id of this permission entry, where it has one (changed or removed by that id). */
  permissionId?: string;
}

/** A resource with the grants set on it (inherited ones left out: they belong to the parent). */
export interface TargetResource extends ResourceRef {
  grants: Grant[];
  /**
   * Why its grants could not be read completely (a failed or short page): nothing is written to it
   * this run, since a whole-list write would drop what was not read, and a per-grant plan would guess.
   */
  unreadable?: string;
}

/** What a target can do with permissions: the planner reads these, never the target's kind. */
export interface AccessCapabilities {
  /** Resource types the target has (an access rule naming another type is a config error). */
  types: ResourceType[];
  /** Levels per type, lowest first: the highest of several rules wins; a data source may lack viewer. */
  levels: Partial<Record<ResourceType, string[]>>;
  /** Most grants one resource may hold (e.g. 100): the plan refuses to go over it. */
  maxGrantsPerResource?: number;
  /**
   * `per-grant`: one call sets or removes one team's level and leaves the rest alone. `whole-list`:
   * one call replaces the resource's whole list (a legacy permissions API): the write carries
   * every grant the sync does not own as it was read.
   */
  write: 'per-grant' | 'whole-list';
}
