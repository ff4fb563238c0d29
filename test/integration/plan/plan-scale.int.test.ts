import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChartioEmulator, type ChartioEmulator } from '../../../src/emulators/chartio/index.js';
import { ChartioTarget } from '../../../src/targets/chartio/index.js';
import { makePlan } from '../../../src/plan/make-plan.js';
import { emptyLinks } from '../../../src/plan/plan-input.js';
import type { Desired } from '../../../src/model/index.js';
import { minimalWritesFromEmpty, scaleDirectory, scalePolicy } from '../../support/scale-scenario.js';

/** The org's first owner is a directory person the mapping puts in Owners, as in a real org. */
let OWNER: string;
let emu: ChartioEmulator;
let desired: Desired;

const target = () =>
  new ChartioTarget({
    kind: 'chartio',
    baseUrl: `${emu.url}/v1`,
    org: 'scale',
    apiKey: 'k',
    apiSecret: 's',
    timeoutMs: 30_000,
    rateLimit: { max: 5000, duration: 300_000, headroom: 0.95 },
  });
const plan = async () => {
  const before = emu.requestLog.length;
  const { actual, requests } = await target().read();
  const gets = emu.requestLog.slice(before).filter((r) => r.method === 'GET').length;
  const { plan } = makePlan({
    desired,
    actual,
    links: emptyLinks(),
    policy: scalePolicy,
    tombstones: new Map(),
    now: 0,
    readCalls: requests,
    ratePerSecond: 15.8,
    capabilities: target().capabilities,
  });
  return { plan, actual, requests, gets };
};

beforeAll(async () => {
  desired = scaleDirectory().desired;
  OWNER = desired.people.find((p) => p.teams.includes('Owners'))!.email;
  emu = await createChartioEmulator({ org: 'scale', apiKey: 'k', apiSecret: 's', rateLimit: false, ownerEmail: OWNER });
});
afterAll(() => emu.close());

describe('a 10,000-person, 2,000-team, 50,000-membership directory', () => {
  it('is what the scenario says', () => {
    expect(desired.people).toHaveLength(10_000);
    expect(desired.teams).toHaveLength(2_000);
    expect(desired.people.reduce((n, p) => n + p.teams.length, 0)).toBeGreaterThan(50_000);
  });

  it('plans the minimum writes against an empty org: teams + memberships, each person created on one team', async () => {
    const { plan: p, gets, requests } = await plan();
    expect(p.blocked).toBeUndefined();
    expect(gets).toBe(2); // one user, one team: a page each
    expect(requests).toBe(2);
    expect(p.counts.createTeam).toBe(1_999);
    expect(p.counts.createUser).toBe(9_999);
    expect(p.phases.flat()).toHaveLength(minimalWritesFromEmpty(desired, OWNER));
    expect(p.counts.removeMember + p.counts.deleteUser + p.counts.deleteTeam).toBe(0);
  });

  it('plans zero writes against an org that already matches, reading it in ceil(U/100) + ceil(T/100) GETs', async () => {
    emu.preload({ users: desired.people.map((x) => ({ email: x.email, displayName: x.displayName, teams: x.teams })) });
    const { plan: p, actual, gets } = await plan();
    expect(actual.users).toHaveLength(10_000);
    expect(actual.teams).toHaveLength(2_000);
    expect(gets).toBe(Math.ceil(10_000 / 100) + Math.ceil(2_000 / 100));
    expect(p.phases.flat()).toEqual([]);
    expect(p.blocked).toBeUndefined();
  });
});
