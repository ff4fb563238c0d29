import { randomBytes } from 'node:crypto';
import type { Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { explainPerson } from '../../../src/app/explain-person.js';
import { renderExplanationText } from '../../../src/cli/explain.js';
import { createHarness, type Harness } from '../../support/conformance/chartio.js';
import { SlapdDirectory } from './day2-directory.js';
import { admin, ldap } from './helpers.js';

let client: Client;
let dir: SlapdDirectory;
let h: Harness;

beforeAll(async () => {
  client = await admin();
  dir = await SlapdDirectory.create(client, ldap.suffix, `explain-${randomBytes(3).toString('hex')}`);
  h = await createHarness(inject('redisUrl'), {
    mapping: { rules: [{ match: '^(.+)$', team: '$1' }] },
    source: {
      kind: 'ldap',
      url: ldap.url,
      bindDn: ldap.bindDn,
      bindPassword: ldap.password,
      people: { baseDn: dir.peopleDn },
      groups: { baseDn: dir.groupsDn },
      disabled: { attribute: 'employeeType', values: ['disabled'] },
    },
  });
});
afterAll(async () => {
  await h?.close();
  await dir?.remove();
  await client?.unbind();
});

describe('explain from OpenLDAP', () => {
  it('shows the groups a person is in through nesting, and the teams they give', async () => {
    await dir.write({
      people: [
        {
          sourceId: 'fay',
          email: 'Fay@example.com',
          displayName: 'Fay Ng',
          givenName: 'Fay',
          familyName: 'Ng',
          enabled: true,
          groupIds: ['sre'],
        },
      ],
      groups: [
        { sourceId: 'sre', name: 'sre', parentIds: ['platform'] },
        { sourceId: 'platform', name: 'platform', parentIds: ['engineering'] },
        { sourceId: 'engineering', name: 'engineering', parentIds: [] },
      ],
      issues: [],
    });
    const x = await explainPerson(await h.runtime(), 'fay@EXAMPLE.com');
    expect(x.steps.source).toMatchObject({
      found: true,
      email: 'Fay@example.com',
      enabled: true,
      attributes: { displayName: 'Fay Ng', familyName: 'Ng' },
      directGroups: [{ name: 'sre' }],
      inheritedGroups: [
        { name: 'engineering', via: ['sre', 'platform'] },
        { name: 'platform', via: ['sre'] },
      ],
    });
    expect(x.steps.scope.inScope).toBe(true);
    expect(x.steps.mapping.teams).toEqual([
      { name: 'engineering', type: 'team', reason: 'member of engineering through sre > platform' },
      { name: 'platform', type: 'team', reason: 'member of platform through sre' },
      { name: 'sre', type: 'team', reason: 'member of sre' },
    ]);
    expect(x.steps.target.found).toBe(false);
    expect(x.steps.plan.ops.map((o) => o.kind)).toEqual(['createUser', 'addMember', 'addMember']);
    expect(renderExplanationText(x)).toMatch(/inherited\s+engineering \(via sre > platform\), platform \(via sre\)/);
    expect(h.emulator.requestLog.filter((r) => r.method !== 'GET')).toEqual([]);
  });
});
