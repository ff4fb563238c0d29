import { ConfigError } from '../../errors/index.js';
import type { Op, TargetCapabilities } from '../../model/index.js';
import type { HttpHooks } from '../http/http-client.js';
import { UnsupportedOpError } from '../op-errors.js';
import {
  capabilitiesOf,
  TARGET_KEYS,
  type BudgetSpec,
  type IdResolver,
  type OpOutcome,
  type ReadHint,
  type Target,
  type TargetFacts,
  type TargetKeys,
  type TargetPlugin,
  type TargetRead,
} from '../target.js';
import { applyGrafanaAccessOp } from './access-executor.js';
import { GRAFANA_LEVELS, readGrafanaAccess, type PermissionsApi } from './access-reader.js';
import { checkGrafana } from './check.js';
import { GrafanaClient } from './client.js';
import { applyGrafanaOp } from './executor.js';
import { readGrafana } from './reader.js';
import { grafanaTargetSchema, type GrafanaTargetConfig } from './schema.js';
import {
  ACCESS_CONTROL_PERMISSIONS_SINCE,
  hasAccessControlPermissions,
  hasWholeTeamMembership,
  WHOLE_TEAM_MEMBERSHIP_SINCE,
} from './versions.js';

export { grafanaTargetSchema, type GrafanaTargetConfig } from './schema.js';

/**
 * Grafana: orgs (a user holds one role per org: Viewer < Editor < Admin; every org keeps an Admin)
 * with flat teams in each; users exist globally and are created by the Admin API or, by default,
 * by signing in; server admins are never touched. No user or team cap.
 */
export const GRAFANA_CAPABILITIES: TargetCapabilities = {
  maxUsers: Number.MAX_SAFE_INTEGER,
  maxTeams: Number.MAX_SAFE_INTEGER,
  userCreation: 'first-login',
  userNeedsOneTeam: false,
  containers: { types: ['org', 'team'], creatable: ['team'], renamable: true, deletable: true },
  membership: 'per-call',
  roles: {
    names: ['Viewer', 'Editor', 'Admin'],
    many: false,
    scope: 'org',
    default: 'Viewer',
    keepOne: 'Admin',
    caseInsensitive: true,
  },
  caseInsensitiveNames: false,
  // Emails are read-only through the API: a changed email gets a new account.
  emailChange: 'recreate',
  // One team's level alone through access control; the legacy API replaces a whole list (learned on read).
  access: {
    types: ['folder', 'dashboard'],
    levels: { folder: [...GRAFANA_LEVELS], dashboard: [...GRAFANA_LEVELS] },
    write: 'per-grant',
  },
};

export class GrafanaTarget implements Target {
  readonly kind = 'grafana';
  readonly client: GrafanaClient;
  readonly budget: BudgetSpec;
  readonly capabilities: TargetCapabilities;

  constructor(
    private readonly config: GrafanaTargetConfig,
    hooks: HttpHooks = {},
    private readonly keys: TargetKeys = TARGET_KEYS,
  ) {
    if (config.token === undefined && config.admin?.password === undefined)
      throw new ConfigError(`${keys.name(['token'])}: not set (use \${ENV} or tokenFile)`, keys.name(['token']));
    this.client = new GrafanaClient(
      config.baseUrl,
      {
        ...(config.token ? { token: config.token } : {}),
        orgTokens: new Map(Object.entries(config.orgTokens).map(([k, v]) => [k.toLowerCase(), v])),
        ...(config.admin?.password ? { admin: { user: config.admin.user, password: config.admin.password } } : {}),
      },
      config.timeoutMs,
      hooks,
    );
    const rl = config.rateLimit;
    this.budget = rl
      ? { key: this.client.host, max: rl.max, durationMs: rl.duration, headroom: rl.headroom }
      : { key: this.client.host, max: 0, durationMs: 1000, headroom: 1 };
    this.capabilities = {
      ...GRAFANA_CAPABILITIES,
      userCreation: config.createUsers ? 'with-container' : 'first-login',
      membership: config.membership === 'whole-team' ? 'whole-container' : 'per-call',
      access: {
        ...GRAFANA_CAPABILITIES.access!,
        write: config.permissionsApi === 'legacy' ? 'whole-list' : 'per-grant',
      },
    };
  }

  /** The permissions API the server's version (or the config) gives: access control, else the legacy list. */
  private permissionsApi(version: string | undefined): PermissionsApi {
    if (this.config.permissionsApi !== 'auto') return this.config.permissionsApi;
    return version !== undefined && hasAccessControlPermissions(version) ? 'access-control' : 'legacy';
  }

  /** The default org by name (a configured id is resolved by the read that precedes mapping). */
  mapOptions(learned: TargetFacts = {}) {
    const configured = this.config.org !== undefined ? String(this.config.org) : undefined;
    const byId = learned.orgNames?.[configured ?? this.client.defaultOrgId ?? ''];
    return { defaultOrg: byId ?? configured ?? '1' };
  }

  /**
   * Learns the orgs' names and, from the server's version, whether team lists and permission lists
   * are written whole; with access rules, reads the folders and dashboards they reach.
   */
  async read(hint: ReadHint = {}): Promise<TargetRead> {
    const r = await readGrafana(this.client, [
      ...(this.config.org !== undefined ? [this.config.org] : []),
      ...(hint.orgs ?? []),
    ]);
    const whole =
      this.config.membership === 'whole-team' ||
      (this.config.membership === 'auto' && r.version !== undefined && hasWholeTeamMembership(r.version));
    const api = this.permissionsApi(r.version);
    const access = hint.access ? await readGrafanaAccess(this.client, r.orgs, hint.access, api) : undefined;
    return {
      actual: access ? { ...r.actual, resources: access.resources } : r.actual,
      requests: r.requests + (access?.requests ?? 0),
      learned: {
        capabilities: {
          ...this.capabilities,
          membership: whole ? 'whole-container' : 'per-call',
          access: { ...this.capabilities.access!, write: api === 'legacy' ? 'whole-list' : 'per-grant' },
        },
        orgNames: Object.fromEntries(r.orgs.map((o) => [o.id, o.name])),
      },
    };
  }

  apply(op: Op, ids: IdResolver, learned?: TargetFacts): Promise<OpOutcome> {
    // A whole-team write on a server the run's read found writing per call would fail late. (A run
    // stored without facts, by an earlier version, is applied as it was planned.)
    if (learned && op.kind === 'setMembers' && capabilitiesOf(this, learned).membership !== 'whole-container')
      return Promise.reject(
        new UnsupportedOpError(
          `${op.key}: a whole team's member list needs Grafana ${WHOLE_TEAM_MEMBERSHIP_SINCE.join('.')} or later (target.membership: whole-team says the server has it)`,
        ),
      );
    // One team's grant alone needs access control; a server the read found without it gets whole lists.
    if (
      learned &&
      (op.kind === 'setGrant' || op.kind === 'removeGrant') &&
      capabilitiesOf(this, learned).access?.write === 'whole-list'
    )
      return Promise.reject(
        new UnsupportedOpError(
          `${op.key}: one team's permission alone needs Grafana ${ACCESS_CONTROL_PERMISSIONS_SINCE.join('.')} or later and target.permissionsApi other than legacy`,
        ),
      );
    const orgNames = learned?.orgNames ?? {};
    const ctx = { client: this.client, ids, autoAssignRole: 'Viewer', orgName: (id: string) => orgNames[id] ?? id };
    if (op.kind === 'setGrant' || op.kind === 'removeGrant' || op.kind === 'setGrants')
      return this.client.ensureDefaultOrg().then(() => applyGrafanaAccessOp(ctx, op));
    return applyGrafanaOp(ctx, op);
  }

  /** The server answers and every credential the sync will use is accepted (each refused one named by its key). */
  check(): Promise<void> {
    return checkGrafana(this.client, this.config, this.keys);
  }
}

export const grafanaPlugin: TargetPlugin<GrafanaTargetConfig> = {
  kind: 'grafana',
  configSchema: grafanaTargetSchema,
  create: (config, hooks, keys) => new GrafanaTarget(config, hooks, keys),
};
