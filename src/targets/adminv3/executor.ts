import { TargetHttpError } from '../../errors/index.js';
import type { Op } from '../../model/index.js';
import { UnsupportedOpError } from '../op-errors.js';
import type { OpOutcome } from '../target.js';
import type { AdminV3Client } from './client.js';
import { usersPageSchema, userSchema } from './payloads.js';

const applied = (createdId?: string): OpOutcome => ({ status: 'applied', ...(createdId ? { createdId } : {}) });
const alreadyDone = (detail: string): OpOutcome => ({ status: 'already-done', detail });

/**
 * One op = one call. Retried calls are safe: a PATCH sets absolute values; 409 user_exists on
 * create means an earlier attempt (or someone else) already invited the address: the user is
 * looked up so the identity link is recorded now (an unlinked account would be out of the sync's
 * scope if the person left before the next run); 404 on disable or delete means already gone.
 */
export async function applyAdminV3Op(client: AdminV3Client, op: Op): Promise<OpOutcome> {
  switch (op.kind) {
    case 'createUser': {
      const body = { email: op.user.email, name: op.displayName, role: op.role ?? 'viewer' };
      try {
        const res = await client.send('POST', 'users', body);
        return applied(client.parse(res, userSchema, 'POST', 'users').id);
      } catch (err) {
        if (err instanceof TargetHttpError && err.status === 409) {
          const id = await findByEmail(client, op.user.email, body.role);
          return { status: 'already-done', detail: 'already invited (user_exists)', ...(id ? { createdId: id } : {}) };
        }
        throw err;
      }
    }
    case 'setRole':
      if (op.team) throw new UnsupportedOpError('Admin API v3 roles are target-wide');
      await patch(client, op.user.id, { role: op.to[0] });
      return applied();
    case 'enableUser':
      // A user who never accepted the invitation goes back to pending: no new invitation is sent.
      await patch(client, op.user.id, { status: 'active', ...(op.role ? { role: op.role } : {}) });
      return applied();
    case 'disableUser':
      return onGone(() => patch(client, op.user.id, { status: 'disabled' }), 'user already gone');
    case 'deleteUser':
      return onGone(
        async () => void (await client.send('DELETE', `users/${encodeURIComponent(op.user.id)}`)),
        'user already gone',
      );
    default:
      // The capabilities rule these out: v3 has no teams.
      throw new UnsupportedOpError(`${op.kind} is not an Admin API v3 operation (it has no teams)`);
  }
}

/**
 * No lookup by email is documented: page through the likeliest filter first (the role just sent,
 * still pending: an earlier attempt of this very call), then everyone.
 */
async function findByEmail(client: AdminV3Client, email: string, role: string): Promise<string | undefined> {
  const want = email.trim().toLowerCase();
  for (const filter of [`&role=${role}&status=pending`, `&role=${role}`, '']) {
    for (let offset = 0; ; offset += 100) {
      const page = await client.get(`users?limit=100&offset=${offset}${filter}`, usersPageSchema);
      const hit = page.data.find((u) => u.email.trim().toLowerCase() === want);
      if (hit) return hit.id;
      if (page.data.length === 0 || offset + page.data.length >= page.meta.total) break;
    }
  }
  return undefined;
}

async function patch(client: AdminV3Client, id: string, body: Record<string, string | undefined>): Promise<void> {
  await client.send('PATCH', `users/${encodeURIComponent(id)}`, body);
}

async function onGone(call: () => Promise<void>, detail: string): Promise<OpOutcome> {
  try {
    await call();
    return applied();
  } catch (err) {
    if (err instanceof TargetHttpError && err.status === 404) return alreadyDone(detail);
    throw err;
  }
}
