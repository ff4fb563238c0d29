import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runSync } from '../../../src/app/run-sync.js';
import type { Runtime } from '../../../src/app/runtime.js';
import { createChartioEmulator, type ChartioEmulator } from '../../../src/emulators/chartio/index.js';
import { silentLogger } from '../../../src/log/logger.js';
import { createSource } from '../../../src/sources/registry.js';
import { freePort } from '../../../src/store/redis-server.js';
import { teamsState } from '../../support/conformance/chartio.js';
import {
  addAttr,
  adminOf,
  canonical,
  csv,
  joinedDeployment,
  ldapSourceOf,
  personEntry,
  removeAttr,
  replaceAttr,
  startDirectory,
  type JoinedDeployment,
} from '../../support/joined.js';
import { groupDn, personDn } from '../../support/ldif.js';
import { capturingLogger } from './helpers.js';
import type { Slapd } from '../../support/slapd.js';
import { runCli, writesOf } from '../../support/target-harness.js';

/**
 * Several sources joined into one directory (docs/sources-joined.md), against real slapd servers
 * (each test directory a slapd of its own: a handful of entries, started in about a second) and a
 * Chartio emulator, through runSync.
 */
const SECRET = 'joined-api-secret-2b7';
const OWNER = 'owner@example.com';
const redisUrl = inject('redisUrl');

const startChartio = () =>
  createChartioEmulator({ org: 'acme', apiKey: 'key', apiSecret: SECRET, rateLimit: false, ownerEmail: OWNER });
const chartioTarget = (e: { url: string }) => ({
  kind: 'chartio',
  baseUrl: `${e.url}/v1`,
  org: 'acme',
  apiKey: 'key',
  apiSecret: SECRET,
  timeoutMs: 5000,
  rateLimit: { headroom: 1, max: 100_000, duration: 1000 },
});
const users = (e: ChartioEmulator) =>
  e
    .dump()
    .users.map((u) => u.email)
    .filter((m) => m !== OWNER)
    .sort();
const teams = (e: ChartioEmulator) => {
  const t = teamsState(e);
  delete t.Owners;
  return t;
};

// ---------------------------------------------------------------------------------------------
// HR (CSV) + AD (OpenLDAP), joined on the employee id; HR required and first (decides every field).
// ---------------------------------------------------------------------------------------------

const HR_HEADER = ['id', 'email', 'display_name', 'employee_id', 'department', 'end_date', 'groups'];
const hrRow = (id: string, name: string, employeeId: string, department: string, endDate = '') => [
  id,
  `${name.toLowerCase()}@corp.test`,
  `${name} HR`,
  employeeId,
  department,
  endDate,
  '',
];
const HR_DAY1 = [
  hrRow('h1', 'alice', 'E100', 'Engineering'),
  hrRow('h2', 'bob', 'E101', 'Sales'),
  hrRow('h3', 'carol', 'E102', 'Sales', '2099-12-31'),
  hrRow('h4', 'dave', 'E103', 'Engineering'),
  // A hire HR has and AD has not yet.
  hrRow('h5', 'erin', 'E104', 'Engineering'),
];
const adPerson = (uid: string, employeeNumber: string) => ({
  uid,
  cn: `${uid} AD`,
  // AD's addresses differ from HR's: HR, listed first, decides the email.
  mail: `${uid}@ad.corp.test`,
  employeeNumber,
});
const AD_PEOPLE = [
  adPerson('alice', 'E100'),
  // The same key in another case: keys are compared case-folded.
  adPerson('bob', 'e101'),
  adPerson('carol', 'E102'),
  adPerson('dave', 'E103'),
  // A contractor in AD only: HR is required, so never synced.
  adPerson('chris', 'C900'),
];
const adDn = (uid: string) => personDn({ uid, cn: uid });

describe('HR file + OpenLDAP joined on the employee id', () => {
  let ad: Slapd;
  let chartio: ChartioEmulator;
  let d: JoinedDeployment;
  let rt: Runtime;
  const hrProfile = (adOver: Record<string, unknown> = {}) => ({
    sources: [
      {
        name: 'hr',
        required: true,
        joinOn: 'employee_id',
        source: {
          kind: 'csv',
          path: 'hr.csv',
          attributes: ['employee_id', 'department', 'end_date'],
          maxInvalidRows: 0,
        },
      },
      {
        name: 'ad',
        joinOn: 'employeeNumber',
        source: ldapSourceOf(ad, { attributes: ['employeeNumber'], ...adOver }),
      },
    ],
    mapping: {
      // A team per department (HR), a team per AD group.
      rules: [
        { attribute: 'department', team: '${value}' },
        { match: '^(.*)$', team: '$1' },
      ],
      people: { where: [{ attribute: 'end_date', date: 'notPassed' }] },
    },
  });

  beforeAll(async () => {
    [ad, chartio] = await Promise.all([
      startDirectory(AD_PEOPLE, [
        { cn: 'platform', members: ['alice', 'carol', 'dave', 'chris'].map(adDn) },
        { cn: 'sales-eu', members: [adDn('bob')] },
      ]),
      startChartio(),
    ]);
    d = joinedDeployment(redisUrl, {
      target: chartioTarget(chartio),
      policy: { deprovision: 'delete-user' },
      profile: hrProfile(),
      close: async () => {
        await chartio.close();
        await ad.stop();
      },
    });
    d.write('hr.csv', csv(HR_HEADER, HR_DAY1));
    rt = await d.runtime();
    rt.startWorkers();
  });
  afterAll(() => d?.close());

  it('day 1: people in HR get their department teams and their AD groups; a hire not in AD yet only the department; AD-only people are out', async () => {
    const first = await runSync(rt, { mode: 'full', trigger: 'backfill' });
    expect(first.status).toBe('succeeded');
    expect(users(chartio)).toEqual([
      'alice@corp.test',
      'bob@corp.test',
      'carol@corp.test',
      'dave@corp.test',
      'erin@corp.test',
    ]);
    expect(teams(chartio)).toEqual({
      Engineering: ['alice@corp.test', 'dave@corp.test', 'erin@corp.test'],
      Sales: ['bob@corp.test', 'carol@corp.test'],
      platform: ['alice@corp.test', 'carol@corp.test', 'dave@corp.test'],
      'sales-eu': ['bob@corp.test'],
    });
  });

  it('plan --json says which source gave each field of a joined person', async () => {
    const out = await runCli(['plan', '--config', d.configPath, '--json']);
    expect(out.code, out.stderr).toBe(0);
    const fields = (JSON.parse(out.stdout) as { fieldSources: Record<string, Record<string, string>> }).fieldSources;
    expect(fields['alice@corp.test']).toMatchObject({ enabled: 'hr', groups: 'hr, ad', department: 'hr' });
  });

  it('day 2: a leaver in HR (row gone, or end date passed) still enabled in AD is deprovisioned; the hire gets the AD group once AD has them; a second run writes nothing', async () => {
    d.write(
      'hr.csv',
      csv(HR_HEADER, [
        HR_DAY1[0]!,
        HR_DAY1[1]!,
        hrRow('h3', 'carol', 'E102', 'Sales', '2020-01-31'),
        // dave's row is gone
        HR_DAY1[4]!,
      ]),
    );
    const a = await adminOf(ad);
    try {
      await a.add(personEntry(adPerson('erin', 'E104')).dn, personEntry(adPerson('erin', 'E104')).attributes);
      await a.modify(groupDn('platform'), [addAttr('member', [adDn('erin')])]);
    } finally {
      await a.unbind();
    }
    // AD still has carol and dave, enabled and in platform.
    const read = await rt.source.read({ mode: 'full' });
    expect(read.snapshot.people.filter((p) => p.email.startsWith('dave'))).toHaveLength(0);
    expect(read.snapshot.people.find((p) => p.email === 'carol@corp.test')).toMatchObject({ enabled: true });

    const day2 = await runSync(rt, { mode: 'incremental', trigger: 'schedule' });
    expect(day2.status).toBe('succeeded');
    expect(users(chartio)).toEqual(['alice@corp.test', 'bob@corp.test', 'erin@corp.test']);
    expect(teams(chartio)).toEqual({
      Engineering: ['alice@corp.test', 'erin@corp.test'],
      Sales: ['bob@corp.test'],
      platform: ['alice@corp.test', 'erin@corp.test'],
      'sales-eu': ['bob@corp.test'],
    });

    const writes = writesOf(chartio).length;
    const again = await runSync(rt, { mode: 'incremental', trigger: 'schedule' });
    expect(again.status).toBe('succeeded');
    expect(again.plan!.phases.flat()).toHaveLength(0);
    expect(writesOf(chartio)).toHaveLength(writes);
  });

  it('two AD people with one employee id: a warning naming both, neither joined (the HR person stands alone)', async () => {
    const a = await adminOf(ad);
    await a.modify(adDn('chris'), [replaceAttr('employeeNumber', ['E101'])]);
    try {
      const read = await rt.source.read({ mode: 'full' });
      const join = read.snapshot.issues.filter((i) => i.where === 'join');
      expect(join).toHaveLength(1);
      expect(join[0]!.reason).toContain('bob@ad.corp.test');
      expect(join[0]!.reason).toContain('chris@ad.corp.test');
      expect(join[0]!.reason).toMatch(/source ad: .*share the join key "e101" \(employeeNumber\): neither is joined/);
      expect(read.join).toMatchObject({ conflicts: 2 });
      // HR's bob is synced from HR alone: no AD group; AD's bob and chris, not in HR, are out.
      const bob = read.snapshot.people.filter((p) => p.email.startsWith('bob') || p.email.startsWith('chris'));
      expect(bob).toHaveLength(1);
      expect(bob[0]).toMatchObject({ sourceId: 'joined:e101', email: 'bob@corp.test', groupIds: [] });
    } finally {
      await a.modify(adDn('chris'), [replaceAttr('employeeNumber', ['C900'])]);
      await a.unbind();
    }
  });

  it('incremental equals full after a day of churn in HR and AD (AD read incrementally with the stored cursor)', async () => {
    const cursor = (await rt.store.planState()).cursor;
    expect(cursor).toBeDefined();
    expect(Object.keys(JSON.parse(cursor!) as object)).toEqual(['ad']);
    d.write(
      'hr.csv',
      csv(HR_HEADER, [
        hrRow('h1', 'alice', 'E100', 'Sales'),
        HR_DAY1[1]!,
        HR_DAY1[4]!,
        hrRow('h6', 'frank', 'E105', 'Engineering'),
        hrRow('h7', 'gina', 'E106', 'Sales'),
      ]),
    );
    const a = await adminOf(ad);
    try {
      await a.modify(adDn('alice'), [replaceAttr('cn', ['Alice Renamed'])]);
      await a.modify(adDn('bob'), [replaceAttr('employeeType', ['disabled'])]);
      await a.modify(groupDn('platform'), [removeAttr('member', [adDn('erin')])]);
      await a.add(personEntry(adPerson('frank', 'E105')).dn, personEntry(adPerson('frank', 'E105')).attributes);
      await a.modify(groupDn('sales-eu'), [addAttr('member', [adDn('frank')])]);
      // carol (gone from HR) takes gina's number: the key moves with the entry.
      await a.modify(adDn('carol'), [replaceAttr('employeeNumber', ['E106'])]);
    } finally {
      await a.unbind();
    }
    const { log, lines } = capturingLogger();
    const rt2 = await d.runtime(log);
    const inc = await rt2.source.read({ mode: 'incremental', cursor: cursor! });
    expect(lines.find((l) => l.msg === 'ldap incremental changes')).toMatchObject({ source: 'ad' });
    const full = await createSource(rt.profile.source, { log: silentLogger, baseDir: d.dir, profile: 'staff' }).read({
      mode: 'full',
    });
    expect(canonical(inc.snapshot)).toEqual(canonical(full.snapshot));
    const bySourceId = new Map(full.snapshot.people.map((p) => [p.sourceId, p]));
    // gina (new in HR) joins the AD entry that took her number, with its group; HR decides names and enabled.
    expect(bySourceId.get('joined:e106')).toMatchObject({ email: 'gina@corp.test', displayName: 'gina HR' });
    expect(bySourceId.get('joined:e106')!.groupIds).toHaveLength(1);
    expect(bySourceId.get('joined:e105')!.groupIds).toHaveLength(1);
    expect(bySourceId.get('joined:e101')).toMatchObject({ enabled: true });
    expect(bySourceId.get('joined:e100')).toMatchObject({
      displayName: 'alice HR',
      attributes: { department: ['Sales'] },
    });
  });

  it('AD failing fails the run naming it, and deletes nothing though HR lost a row', async () => {
    const before = writesOf(chartio).length;
    // bob leaves HR: a run that went ahead would delete him.
    d.write('hr.csv', csv(HR_HEADER, [HR_DAY1[0]!, HR_DAY1[4]!]));
    // AD's server is gone (a port nobody listens on).
    d.configure(hrProfile({ url: `ldap://127.0.0.1:${await freePort()}`, timeoutMs: 2000 }));
    const down = await d.runtime();
    const err = await runSync(down, { mode: 'incremental', trigger: 'schedule' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/^source ad: /);
    expect(writesOf(chartio)).toHaveLength(before);
    expect(users(chartio)).toEqual(['alice@corp.test', 'bob@corp.test', 'erin@corp.test']);
    expect((await down.store.listRuns(1))[0]).toMatchObject({ status: 'failed' });
    d.configure(hrProfile());
    d.write('hr.csv', csv(HR_HEADER, HR_DAY1.slice(0, 2).concat([HR_DAY1[4]!])));
  });

  it('AD dying during its paged read fails the read naming it', async () => {
    const big = await startDirectory(
      Array.from({ length: 300 }, (_, i) => adPerson(`p${i}`, `E${1000 + i}`)),
      [],
    );
    const d2 = joinedDeployment(redisUrl, {
      target: chartioTarget(chartio),
      profile: hrProfile(),
      close: () => big.stop(),
    });
    try {
      const profile = hrProfile();
      profile.sources[1]!.source = ldapSourceOf(big, { attributes: ['employeeNumber'], pageSize: 10 });
      d2.configure(profile);
      d2.write('hr.csv', csv(HR_HEADER, HR_DAY1));
      // slapd is killed once the first page of people has come back.
      const { log } = capturingLogger((line) => {
        if (line.msg === 'ldap page') big.kill('SIGKILL');
      });
      const rt2 = await d2.runtime(log);
      const err = await rt2.source.read({ mode: 'full' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(Error);
      expect((err as Error).message).toMatch(/^source ad: /);
    } finally {
      await d2.close();
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Two forests after a merger (two slapd servers), joined on email; forest a listed first.
// ---------------------------------------------------------------------------------------------

const person = (uid: string, cn: string, mail: string, disabled = false) => ({ uid, cn, mail, disabled });

describe('two OpenLDAP forests joined on email', () => {
  let a: Slapd;
  let b: Slapd;
  let chartio: ChartioEmulator;
  let d: JoinedDeployment;
  let rt: Runtime;

  beforeAll(async () => {
    [a, b, chartio] = await Promise.all([
      startDirectory(
        [
          person('ann', 'Ann Lee (A)', 'ann@merged.test'),
          person('ben', 'Ben Ode (A)', 'ben@merged.test'),
          person('ada', 'Ada Ray (A)', 'ada@merged.test'),
        ],
        [
          { cn: 'engineering', members: [adDn('ann'), adDn('ben')] },
          { cn: 'a-finance', members: [adDn('ada'), adDn('ben')] },
        ],
      ),
      startDirectory(
        [
          // The same people in the other forest, under other entries, the address in another case.
          person('alee', 'Ann Lee (B)', 'Ann@Merged.Test'),
          // Disabled here, enabled in forest a, which is listed first and so decides.
          person('bode', 'Ben Ode (B)', 'ben@merged.test', true),
          person('cat', 'Cat Ng (B)', 'cat@merged.test'),
        ],
        [
          // A group name both forests use: one team, the members of both.
          { cn: 'engineering', members: [adDn('alee'), adDn('cat')] },
          { cn: 'b-ops', members: [adDn('alee')] },
        ],
      ),
      startChartio(),
    ]);
    d = joinedDeployment(redisUrl, {
      target: chartioTarget(chartio),
      policy: { deprovision: 'delete-user' },
      profile: {
        sources: [
          { name: 'a', source: ldapSourceOf(a) },
          { name: 'b', source: ldapSourceOf(b) },
        ],
        mapping: { rules: [{ match: '^(.*)$', team: '$1' }] },
      },
      close: async () => {
        await chartio.close();
        await Promise.all([a.stop(), b.stop()]);
      },
    });
    rt = await d.runtime();
    rt.startWorkers();
  });
  afterAll(() => d?.close());

  it('one person per address, groups of both forests kept apart by source, a group name both use one team; a second run writes nothing', async () => {
    const read = await rt.source.read({ mode: 'full' });
    expect(read.join).toEqual({ people: 4, joined: 2, notInRequired: 0, conflicts: 0 });
    expect(read.sources).toEqual([
      { name: 'a', people: 3 },
      { name: 'b', people: 3 },
    ]);
    const ann = read.snapshot.people.find((p) => p.sourceId === 'joined:ann@merged.test')!;
    expect(ann).toMatchObject({ email: 'ann@merged.test', displayName: 'Ann Lee (A)', enabled: true });
    const names = new Map(read.snapshot.groups.map((g) => [g.sourceId, g.name]));
    expect(ann.groupIds.map((g) => `${g.split(':')[0]}:${names.get(g)}`).sort()).toEqual([
      'a:engineering',
      'b:b-ops',
      'b:engineering',
    ]);
    expect(read.snapshot.groups.filter((g) => g.name === 'engineering')).toHaveLength(2);

    const first = await runSync(rt, { mode: 'full', trigger: 'backfill' });
    expect(first.status).toBe('succeeded');
    expect(users(chartio)).toEqual(['ada@merged.test', 'ann@merged.test', 'ben@merged.test', 'cat@merged.test']);
    expect(teams(chartio)).toEqual({
      engineering: ['ann@merged.test', 'ben@merged.test', 'cat@merged.test'],
      'a-finance': ['ada@merged.test', 'ben@merged.test'],
      'b-ops': ['ann@merged.test'],
    });
    const writes = writesOf(chartio).length;
    const again = await runSync(rt, { mode: 'incremental', trigger: 'schedule' });
    expect(again.plan!.phases.flat()).toHaveLength(0);
    expect(writesOf(chartio)).toHaveLength(writes);
  });

  it('incremental equals full after a day of churn in both forests (each read incrementally with its own cursor)', async () => {
    const cursor = (await rt.store.planState()).cursor;
    expect(Object.keys(JSON.parse(cursor!) as object).sort()).toEqual(['a', 'b']);
    const [ca, cb] = await Promise.all([adminOf(a), adminOf(b)]);
    try {
      await ca.modify(adDn('ann'), [replaceAttr('cn', ['Ann Lee-Park (A)'])]);
      await ca.modify(groupDn('engineering'), [removeAttr('member', [adDn('ben')])]);
      const dan = personEntry(person('dan', 'Dan Wu (A)', 'dan@merged.test'));
      await ca.add(dan.dn, dan.attributes);
      await ca.modify(groupDn('a-finance'), [addAttr('member', [adDn('dan')])]);
      await cb.modify(adDn('cat'), [replaceAttr('employeeType', ['disabled'])]);
      // ada arrives in forest b: she joins her forest-a self.
      const ada = personEntry(person('aray', 'Ada Ray (B)', 'ADA@merged.test'));
      await cb.add(ada.dn, ada.attributes);
      await cb.modify(groupDn('b-ops'), [addAttr('member', [adDn('aray')])]);
      // bob's forest-b entry gets a new address: no longer joined with forest a's.
      await cb.modify(adDn('bode'), [replaceAttr('mail', ['ben.ode@merged.test'])]);
    } finally {
      await Promise.all([ca.unbind(), cb.unbind()]);
    }
    const inc = await rt.source.read({ mode: 'incremental', cursor: cursor! });
    expect(inc.mode).toBe('incremental');
    const full = await createSource(rt.profile.source, { log: silentLogger, baseDir: d.dir, profile: 'staff' }).read({
      mode: 'full',
    });
    expect(full.mode).toBe('full');
    expect(canonical(inc.snapshot)).toEqual(canonical(full.snapshot));
    expect(inc.join).toEqual({ people: 6, joined: 2, notInRequired: 0, conflicts: 0 });
    const ada = inc.snapshot.people.find((p) => p.sourceId === 'joined:ada@merged.test')!;
    expect(ada.groupIds).toHaveLength(2);
  });
});
