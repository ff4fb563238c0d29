import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load-config.js';
import { configError, scratch } from './helpers.js';

const { write } = scratch();
process.env.SECRET = 'attribute-errors-secret';

const config = (source: string, mapping: string) =>
  write(
    `attr-${Math.random().toString(36).slice(2)}.yaml`,
    `target:
  kind: chartio
  org: acme
  apiKey: key
  apiSecret: \${SECRET}
profiles:
  - name: hr
    source: ${source}
    mapping:
${mapping}`,
  );

describe('mapping on attributes: bad config', () => {
  it('a rule on an attribute the source does not read names the rule and source.attributes', async () => {
    const msg = await configError(
      loadConfig(
        config(
          '{ kind: csv, path: people.csv, attributes: [department] }',
          `      rules:
        - attribute: departmnet
          team: '\${value}'`,
        ),
      ),
    );
    expect(msg).toContain('profiles[0].mapping.rules[0].attribute');
    expect(msg).toContain('attribute "departmnet" is not read by the source: add it to source.attributes');
    expect(msg).toContain('it reads department');
  });

  it('a scoping filter and a template name their attributes too', async () => {
    const msg = await configError(
      loadConfig(
        config(
          '{ kind: csv, path: people.csv, attributes: [department] }',
          `      rules:
        - attribute: department
          team: '\${division}/\${value}'
      people:
        where:
          - { attribute: endDate, date: notPassed }`,
        ),
      ),
    );
    expect(msg).toContain('profiles[0].mapping.rules[0].team');
    expect(msg).toContain('attribute "division" is not read by the source');
    expect(msg).toContain('profiles[0].mapping.people.where[0].attribute');
    expect(msg).toContain('attribute "endDate" is not read by the source');
  });

  it('a condition with two comparisons, or none, or a bad pattern, says which', async () => {
    const msg = await configError(
      loadConfig(
        config(
          '{ kind: csv, path: people.csv, attributes: [department] }',
          `      people:
        where:
          - { attribute: department, equals: Sales, in: [Sales] }
          - { attribute: department }
          - { attribute: department, matches: '(' }
          - { memberOf: bi-users, equals: x }`,
        ),
      ),
    );
    expect(msg).toContain('profiles[0].mapping.people.where[0]: set exactly one of equals, notEquals');
    expect(msg).toContain('(found equals, in)');
    expect(msg).toContain('profiles[0].mapping.people.where[1]: set exactly one of');
    expect(msg).toContain('profiles[0].mapping.people.where[2].matches: not a valid regular expression');
    expect(msg).toContain('profiles[0].mapping.people.where[3].equals: memberOf takes no comparison');
  });

  it('a rule with none of match, attribute or where says what to set', async () => {
    const msg = await configError(
      loadConfig(config('{ kind: csv, path: people.csv }', `      rules:\n        - team: X`)),
    );
    expect(msg).toContain('profiles[0].mapping.rules[0]: set match (group names), attribute, or where');
  });
});
