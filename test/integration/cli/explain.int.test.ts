import { afterEach, describe, expect, inject, it } from 'vitest';
import { explainPerson, type Explanation } from '../../../src/app/explain-person.js';
import { runSync } from '../../../src/app/run-sync.js';
import { renderExplanationText } from '../../../src/cli/explain.js';
import type { Group, Person, Snapshot } from '../../../src/model/index.js';
import { createHarness, type Harness } from '../../support/conformance/chartio.js';
import { createGrafanaHarness, type GrafanaHarness } from '../../support/conformance/grafana.js';
import { runCli, writesOf } from '../../support/target-harness.js';

const redisUrl = inject('redisUrl');
let h: Harness | GrafanaHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const group = (n: number, ...parents: number[]): Group => ({
  sourceId: `g${n}`,
  name: `group-${n}`,
  parentIds: parents.map((p) => `g${p}`),
});
const person = (email: string, groups: number[], over: Partial<Person> = {}): Person => ({
  sourceId: `id-${email.split('@')[0]}`,
  email,
  displayName: email.split('@')[0]!,
  enabled: true,
  groupIds: groups.map((n) => `g${n}`),
  ...over,
});
const dir = (people: Person[], groups: Group[]): Snapshot => ({ people, groups, issues: [] });

/** The CLI, text and --json (as an operator runs it). */
async function explainCli(configPath: string, email: string): Promise<{ text: string; json: Explanation }> {
  const [text, json] = await Promise.all([
    runCli(['explain', email, '--config', configPath]),
    runCli(['explain', email, '--config', configPath, '--json']),
  ]);
  expect(text.code, text.stderr).toBe(0);
  expect(json.code, json.stderr).toBe(0);
  return { text: text.stdout, json: JSON.parse(json.stdout) as Explanation };
}

/** The same in process (quicker): explainPerson and the text rendering. */
async function explain(hh: Harness | GrafanaHarness, email: string): Promise<{ text: string; json: Explanation }> {
  const json = await explainPerson(await hh.runtime(), email);
  return { text: renderExplanationText(json), json };
}

describe('rostersync explain EMAIL, over HTTP against the emulators', () => {
  it('Chartio: a disabled person out of scope, one only in the target with the deprovisioning op, history after a sync; writes nothing', async () => {
    h = await createHarness(redisUrl, { policy: { deprovision: 'delete-user' } });
    const groups = [group(1), group(2)];
    h.writeDirectory(
      dir([person('ann@example.com', [1]), person('bob@example.com', [1]), person('carl@example.com', [1, 2])], groups),
    );
    const rt = await h.runtime();
    rt.startWorkers();
    expect((await runSync(rt, { mode: 'full', trigger: 'schedule' })).status).toBe('succeeded');
    // Then Bob is disabled and Carl leaves the directory.
    h.writeDirectory(dir([person('ann@example.com', [1]), person('bob@example.com', [1], { enabled: false })], groups));
    const before = h.emulator.requestLog.length;

    const [bob, nobody] = await Promise.all([
      explainCli(h.configPath, 'Bob@Example.com'),
      explainCli(h.configPath, 'nobody@example.com'),
    ]);
    expect(bob.json.found).toEqual({ directory: true, target: true });
    expect(bob.json.steps.source).toMatchObject({ found: true, sourceId: 'id-bob', enabled: false });
    expect(bob.json.steps.scope).toEqual({
      inScope: false,
      reason: 'disabled in the directory (mapping.people.includeDisabled is off)',
    });
    expect(bob.json.steps.plan.ops.map((o) => o.kind)).toEqual(['deleteUser']);
    expect(bob.text).toMatch(/NOT IN SCOPE: disabled in the directory/);
    expect(bob.text).toMatch(/bob@example.com: deleted: /);

    const carl = await explain(h, 'carl@example.com');
    expect(carl.json.found).toEqual({ directory: false, target: true });
    expect(carl.json.steps.target).toMatchObject({ found: true, teams: [{ name: 'team-1' }, { name: 'team-2' }] });
    expect(carl.json.steps.plan.ops.map((o) => o.kind)).toEqual(['deleteUser']);
    expect(carl.text).toMatch(/not in the directory/);
    expect(carl.text).toMatch(/member of\s+"team-1", "team-2"/);

    // The backfill's run is the one that gave Ann her account and team.
    const ann = await explain(h, 'ann@example.com');
    expect(ann.json.steps.scope.inScope).toBe(true);
    expect(ann.json.steps.mapping.teams).toEqual([{ name: 'team-1', type: 'team', reason: 'member of group-1' }]);
    expect(ann.json.steps.plan.ops).toEqual([]);
    const runId = ann.json.steps.history.changes[0]!.runId;
    expect(runId).toMatch(/^hr-\d{8}-\d{6}-[0-9a-f]{6}$/);
    expect(ann.json.steps.history.changes.map((c) => [c.runId, c.text])).toEqual([
      [runId, expect.stringMatching(/^ann@example.com: account created: in the directory, not in the target/)],
      [runId, expect.stringMatching(/^ann@example.com: joins "team-1": /)],
    ]);
    expect(ann.text).toMatch(new RegExp(`${runId} \\(succeeded\\)\\s+ann@example.com: account created`));

    expect(nobody.json.found).toEqual({ directory: false, target: false });
    expect(nobody.text).toMatch(/Not found in the directory nor the target/);

    expect(writesOf(h.emulator, before)).toEqual([]);
  });

  it("Grafana: a role from a group, with the rule's reason, and the op that gives it", async () => {
    const g = await createGrafanaHarness(redisUrl);
    h = g;
    // group-3 is nested in group-0: Dee is an Admin through it.
    g.writeDirectory(
      dir([person('dee@example.com', [3]), person('eve@example.com', [5])], [group(0), group(3, 0), group(5)]),
    );
    g.signIn([{ email: 'dee@example.com', displayName: 'dee' }]);
    const dee = await explainCli(g.configPath, 'dee@example.com');
    expect(dee.json.steps.source).toMatchObject({
      directGroups: [{ id: 'g3', name: 'group-3' }],
      inheritedGroups: [{ id: 'g0', name: 'group-0', via: ['group-3'] }],
    });
    expect(dee.json.steps.mapping.roles).toHaveLength(2);
    expect(dee.json.steps.mapping.roles).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ role: 'Admin', reason: 'member of group-0' }),
        expect.objectContaining({ role: 'Editor', reason: 'member of group-3' }),
      ]),
    );
    expect(dee.json.steps.mapping.teams).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          name: expect.stringMatching(/team-0$/),
          reason: 'member of group-0 through group-3',
        }),
      ]),
    );
    expect(dee.json.steps.target).toMatchObject({ found: true, roles: [{ roles: ['Viewer'] }] });
    expect(dee.json.steps.plan.ops.flatMap((o) => o.changes)).toContainEqual(
      expect.stringMatching(/dee@example.com: Viewer -> Admin.*: member of group-0/),
    );
    expect(dee.text).toMatch(/Admin in ".*": member of group-0/);
    expect(writesOf(g.emulator)).toEqual([]);
  });
});
