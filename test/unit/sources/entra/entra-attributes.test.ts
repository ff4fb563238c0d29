import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../../src/errors/index.js';
import { silentLogger } from '../../../../src/log/logger.js';
import {
  mergeProps,
  propsOf,
  readAttribute,
  refusedProperty,
  selectedProperties,
} from '../../../../src/sources/entra/attributes.js';
import { sameAttributes } from '../../../../src/sources/entra/delta.js';
import { GraphHttp } from '../../../../src/sources/entra/graph-http.js';
import { entraSourceSchema } from '../../../../src/sources/entra/schema.js';
import { buildSnapshot, mergeUser, pickUser, userSelect, type State } from '../../../../src/sources/entra/state.js';

const base = { kind: 'entra', tenantId: 't', clientId: 'c', clientSecret: 's', users: 'all' };
const EXT = 'extension_0b1f0c3e5c3a4d2e9a552f1d8c6b7e41_costCode';

describe('which properties the attributes select', () => {
  it('selects the top-level property of a path, an extension as it is, each once', () => {
    expect(
      selectedProperties([
        'department',
        'employeeOrgData.costCenter',
        'employeeOrgData.division',
        'onPremisesExtensionAttributes.extensionAttribute3',
        EXT,
      ]),
    ).toEqual(['department', 'employeeOrgData', 'onPremisesExtensionAttributes', EXT]);
  });

  it('adds them to the essentials, without repeating one the essentials have', () => {
    const c = entraSourceSchema.parse({ ...base, attributes: ['mail', 'department', 'employeeOrgData.costCenter'] });
    expect(userSelect(c)).toBe(
      'id,displayName,mail,userPrincipalName,givenName,surname,accountEnabled,department,employeeOrgData',
    );
    expect(userSelect(entraSourceSchema.parse(base))).toBe(
      'id,displayName,mail,userPrincipalName,givenName,surname,accountEnabled',
    );
  });
});

describe('an attribute read by path', () => {
  const props = {
    department: 'Finance',
    businessPhones: ['+1 555 0100', '+1 555 0101'],
    employeeOrgData: { costCenter: 'CC-42', division: null },
    onPremisesExtensionAttributes: { extensionAttribute3: 'EMEA', extensionAttribute4: null },
    identities: [
      { signInType: 'userPrincipalName', issuer: 'contoso.test' },
      { signInType: 'emailAddress', issuer: 'contoso.test' },
    ],
    [EXT]: 1234,
    accountEnabled: false,
  };

  it.each([
    ['department', ['Finance']],
    ['businessPhones', ['+1 555 0100', '+1 555 0101']],
    ['employeeOrgData.costCenter', ['CC-42']],
    ['onPremisesExtensionAttributes.extensionAttribute3', ['EMEA']],
    ['identities.signInType', ['userPrincipalName', 'emailAddress']],
    [EXT, ['1234']],
    ['accountEnabled', ['false']],
    // Graph spells the property its own way; a configured name that differs in case still reads it.
    ['EmployeeOrgData.CostCenter', ['CC-42']],
  ])('%s', (name, values) => {
    expect(readAttribute(props, name)).toEqual({ values });
  });

  it('null, absent, or a path through a value: nothing', () => {
    expect(readAttribute(props, 'employeeOrgData.division')).toBeUndefined();
    expect(readAttribute(props, 'onPremisesExtensionAttributes.extensionAttribute4')).toBeUndefined();
    expect(readAttribute(props, 'jobTitle')).toBeUndefined();
    expect(readAttribute(props, 'department.name')).toBeUndefined();
  });

  it('an object where the path ends is not a value', () => {
    expect(readAttribute(props, 'employeeOrgData')).toEqual({ object: true });
  });
});

describe('a delta record merged onto the kept properties', () => {
  const kept = {
    department: 'Finance',
    employeeOrgData: { costCenter: 'CC-1', division: 'Ops' },
    businessPhones: ['1'],
  };
  const properties = ['department', 'employeeOrgData', 'businessPhones', 'jobTitle'];

  it('a property present replaces, null clears, an absent one stays; a complex one field by field', () => {
    const merged = mergeProps(
      kept,
      {
        id: 'u1',
        department: 'Sales',
        businessPhones: null,
        employeeOrgData: { costCenter: 'CC-2' },
        jobTitle: 'Lead',
      },
      properties,
    );
    expect(merged).toEqual({
      department: 'Sales',
      employeeOrgData: { costCenter: 'CC-2', division: 'Ops' },
      jobTitle: 'Lead',
    });
    expect(mergeProps(kept, { id: 'u1' }, properties)).toEqual(kept);
    expect(mergeProps(kept, { id: 'u1', employeeOrgData: null }, properties)).toEqual({
      department: 'Finance',
      businessPhones: ['1'],
    });
  });

  it('a user merged equals the user read in full', () => {
    const c = entraSourceSchema.parse({ ...base, attributes: ['department', 'employeeOrgData.costCenter'] });
    const before = pickUser(
      {
        id: 'u1',
        displayName: 'A',
        mail: 'a@x.test',
        department: 'Finance',
        employeeOrgData: { costCenter: 'CC-1', division: null },
      },
      c,
    );
    const after = {
      id: 'u1',
      displayName: 'A',
      mail: 'a@x.test',
      department: 'Sales',
      employeeOrgData: { costCenter: 'CC-1', division: null },
    };
    expect(mergeUser(before, { id: 'u1', department: 'Sales' }, c)).toEqual(pickUser(after, c));
    expect(propsOf({ id: 'u1', department: null }, ['department'])).toEqual({});
  });
});

describe('the snapshot', () => {
  it('gives each person the listed attributes, normalised, and reports an object once', () => {
    const c = entraSourceSchema.parse({ ...base, attributes: ['department', 'employeeOrgData', 'businessPhones'] });
    const state: State = {
      scope: '',
      groups: {},
      missing: [],
      users: {
        u1: pickUser(
          {
            id: 'u1',
            mail: 'a@x.test',
            department: '  Research   and  Development ',
            businessPhones: [' ', '1'],
            employeeOrgData: { costCenter: 'x' },
          },
          c,
        ),
      },
    };
    const objects: string[] = [];
    const snap = buildSnapshot(state, c, (a) => objects.push(a));
    expect(snap.people[0]!.attributes).toEqual({ department: ['Research and Development'], businessPhones: ['1'] });
    expect(objects).toEqual(['employeeOrgData']);
    expect(buildSnapshot(state, entraSourceSchema.parse(base)).people[0]!.attributes).toBeUndefined();
  });
});

it("names the property in Graph's 400", () => {
  expect(refusedProperty("Could not find a property named 'departmnt' on type 'microsoft.graph.user'.")).toBe(
    'departmnt',
  );
  expect(refusedProperty('Invalid object identifier')).toBeUndefined();
});

describe("Graph's refusals of an attribute", () => {
  const http = (attributes: string[]) =>
    new GraphHttp(
      entraSourceSchema.parse({ ...base, attributes, maxRetries: 0 }),
      silentLogger,
      (k) => `profiles.hr.source.${k}`,
    );
  const graphError = (statusCode: number, code: string, message: string) =>
    Object.assign(new Error(message), { statusCode, code });

  it('a 400 naming a listed property is a config error naming the key; another 400 is not', async () => {
    const v = await http(['employeeOrgData.costCenter']).verdict(
      graphError(
        400,
        'Request_BadRequest',
        "Could not find a property named 'employeeOrgData' on type 'microsoft.graph.user'.",
      ),
      '/users',
    );
    expect(v.retry).toBe(false);
    const error = (v as { error: Error }).error;
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toMatch(
      /^profiles\.hr\.source\.attributes: Graph has no user property 'employeeOrgData' \(listed as employeeOrgData\.costCenter\)/,
    );
    const other = await http(['department']).verdict(
      graphError(400, 'Request_BadRequest', 'Invalid filter clause'),
      '/users',
    );
    expect((other as { error: Error }).error).not.toBeInstanceOf(ConfigError);
  });

  it('a 501 for a single-user-only property is a config error, not retried', async () => {
    const v = await http(['skills']).verdict(
      graphError(501, 'NotImplemented', 'This operation target is not yet supported.'),
      '/users',
    );
    expect((v as { error: Error }).error.message).toMatch(
      /source\.attributes: Graph returns 'skills' only for a single user/,
    );
  });

  it('a 403 with employeeLeaveDateTime listed names User-LifeCycleInfo.Read.All', async () => {
    const v = await http(['employeeLeaveDateTime']).verdict(
      graphError(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.'),
      '/users/delta',
    );
    expect((v as { error: Error }).error.message).toContain('User-LifeCycleInfo.Read.All');
  });

  it('the attribute list in another order is the same list for a delta', () => {
    const state = { scope: '', users: {}, groups: {}, missing: [], select: 'department,employeeOrgData' };
    expect(
      sameAttributes(
        state,
        entraSourceSchema.parse({ ...base, attributes: ['employeeOrgData.division', 'department'] }),
      ),
    ).toBe(true);
    expect(sameAttributes(state, entraSourceSchema.parse({ ...base, attributes: ['department'] }))).toBe(false);
    expect(sameAttributes({ ...state, select: undefined }, entraSourceSchema.parse(base))).toBe(true);
  });
});
