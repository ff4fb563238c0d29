import { EmulatorOptionError, checkInt, type OptionParts } from '../index.js';
import { ORG_ROLES, type ResolvedGrafanaOptions } from './types.js';

export const DEFAULT_TOKEN = 'glsa_emulator_token';

/** Grafana's own options: defaults and checks (port and the shared knobs are the start-up's). */
export const grafanaOptions: OptionParts<ResolvedGrafanaOptions> = {
  defaults: () => ({
    version: '11.3.0',
    adminUser: 'admin',
    adminPassword: 'admin',
    tokens: [{ token: DEFAULT_TOKEN, orgId: 1, role: 'Admin' }],
    autoAssignOrg: true,
    autoAssignOrgId: 1,
    autoAssignOrgRole: 'Viewer',
    rateLimit: false,
  }),
  check(o) {
    checkInt('autoAssignOrgId', o.autoAssignOrgId, 1);
    parseVersion(o.version);
    if (!o.adminUser || !o.adminPassword)
      throw new EmulatorOptionError('adminUser and adminPassword: expected non-empty strings');
    if (!['Viewer', 'Editor', 'Admin'].includes(o.autoAssignOrgRole)) {
      throw new EmulatorOptionError(
        `autoAssignOrgRole: expected Viewer, Editor or Admin, got "${o.autoAssignOrgRole}"`,
      );
    }
    for (const [i, t] of o.tokens.entries()) {
      if (!t.token) throw new EmulatorOptionError(`tokens.${i}.token: expected a non-empty string`);
      checkInt(`tokens.${i}.orgId`, t.orgId, 1);
      if (!ORG_ROLES.includes(t.role))
        throw new EmulatorOptionError(`tokens.${i}.role: expected one of ${ORG_ROLES.join(', ')}, got "${t.role}"`);
    }
  },
};

/** `11.3.0` -> [11, 3, 0]; pre-release suffixes are ignored for gating. */
export function parseVersion(version: string): [number, number, number] {
  const m = /^(\d+)\.(\d+)\.(\d+)(?:[-+].*)?$/.exec(version);
  if (!m) throw new EmulatorOptionError(`version: expected MAJOR.MINOR.PATCH such as 11.3.0, got "${version}"`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

export function versionAtLeast(version: string, min: string): boolean {
  const a = parseVersion(version);
  const b = parseVersion(min);
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i]! > b[i]!;
  return true;
}
