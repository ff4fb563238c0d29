import { describe, expect, it } from 'vitest';
import { createTarget, targetSchema } from '../../../src/targets/registry.js';
import { ADMINV3_CAPABILITIES, keyBudgetName } from '../../../src/targets/adminv3/index.js';

describe('Admin API v3 plug-in', () => {
  it('is in the registry: the config union accepts it with its defaults', () => {
    const t = targetSchema.parse({ kind: 'adminv3', token: 'sk_live_abc' });
    expect(t).toMatchObject({
      baseUrl: 'https://api.admin.io/v3',
      pageSize: 100,
      followRateLimitHeaders: true,
      rateLimit: { max: 1000, duration: 60_000, headroom: 0.95 },
    });
    expect(() => targetSchema.parse({ kind: 'adminv3' })).toThrow(/set token/);
    expect(() => targetSchema.parse({ kind: 'adminv3', token: 'sk_x', pageSize: 101 })).toThrow();
  });

  it('counts the budget per API key without the key itself, and follows the server headers', () => {
    const target = createTarget(targetSchema.parse({ kind: 'adminv3', token: 'sk_live_secret123' }));
    expect(target.budget.key).toMatch(/^api\.admin\.io#[0-9a-f]{16}$/);
    expect(target.budget.key).not.toContain('secret123');
    expect(keyBudgetName('api.admin.io', 'sk_a')).not.toBe(keyBudgetName('api.admin.io', 'sk_b'));
    expect(target.budget).toMatchObject({ max: 1000, durationMs: 60_000, followHeaders: true });
  });

  it('refuses plain http except to loopback', () => {
    expect(() =>
      createTarget(targetSchema.parse({ kind: 'adminv3', token: 'sk_x', baseUrl: 'http://api.admin.io/v3' })),
    ).toThrow(/https is required/);
  });

  it('is roles-only with one target-wide role per user, invitations and user status', () => {
    expect(ADMINV3_CAPABILITIES).toMatchObject({
      userCreation: 'invite',
      userStatus: true,
      containers: { types: [] },
      roles: { names: ['viewer', 'editor', 'admin'], many: false, scope: 'target', default: 'viewer' },
    });
  });
});
