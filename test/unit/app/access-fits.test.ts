import { describe, expect, it } from 'vitest';
import { checkAccessFits } from '../../../src/app/access-fits.js';
import { profileSchema } from '../../../src/config/schema.js';
import { CHARTIO_CAPABILITIES } from '../../../src/targets/chartio/index.js';
import { GRAFANA_CAPABILITIES } from '../../../src/targets/grafana/index.js';

const profile = (access: unknown[]) =>
  profileSchema.parse({ name: 'hr', source: { kind: 'csv', path: 'people.csv' }, access });
const fits = (access: unknown[], caps = CHARTIO_CAPABILITIES, kind = 'chartio') => {
  try {
    checkAccessFits(profile(access), 0, caps, kind);
    return 'ok';
  } catch (err) {
    return (err as Error).message;
  }
};

describe('access rules against what the target has, at start-up', () => {
  it('names the key of a resource type the target lacks, of an unknown level, and of a target without permissions', () => {
    expect(fits([{ teams: 'A', level: 'Viewer', dashboards: ['X'] }])).toBe('ok');
    expect(fits([{ teams: 'A', level: 'View', folders: ['X'] }])).toBe(
      'profiles[0].access[0].folders: the chartio target has no folders (it has dashboards, data sources)',
    );
    expect(fits([{ teams: 'A', level: 'viewer', datasources: ['X'] }])).toBe(
      'profiles[0].access[0].level: "viewer" is not a level of chartio data sources (levels: editor, admin)',
    );
    expect(fits([{ teams: 'A', level: 'viewer', datasources: ['X'] }], GRAFANA_CAPABILITIES, 'grafana')).toBe(
      'profiles[0].access[0].datasources: the grafana target has no data sources (it has folders, dashboards)',
    );
    const { access: _none, ...noAccess } = CHARTIO_CAPABILITIES;
    expect(fits([{ teams: 'A', level: 'viewer', dashboards: ['X'] }], noAccess, 'scim')).toBe(
      'profiles[0].access[0]: the scim target has no permissions API: remove profiles.hr.access',
    );
  });
});
