import { TargetHttpError } from '../../errors/index.js';
import type { Op } from '../../model/index.js';
import { UnsupportedOpError } from '../op-errors.js';
import type { OpOutcome } from '../target.js';
import type { AdminV3Client } from './client.js';
import { userSchema } from './payloads.js';

const applied = (createdId?: string): OpOutcome => ({ status: 'applied', ...(createdId ? { createdId } : {}) });
const alreadyDone = (detail: string): OpOutcome => ({ status: 'already-done', detail });

/**
 * One op = one call. Retried calls are safe: a PATCH sets absolute values; 409 user_exists on
 * create means an earlier attempt (or someone else) already invited the address, and the next
 * read links it by email, so no lookup is spent on it; 404 on disable or delete means already gone.
 */
export async function applyAdminV3Op(client: AdminV3Client, op: Op): Promise<OpOutcome> {
  switch (op.kind) {
    case 'createUser': {
      const body = { email: op.user.email, name: op.displayName, role: op.role ?? 'viewer' };
      try {
        const res = await client.send('POST', 'users', body);
        return applied(client.parse(res, userSchema, 'POST', 'users').id);
      } catch (err) {
        if (err instanceof TargetHttpError && err.status === 409) return alreadyDone('already invited (user_exists): linked by email on the next read');
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
      return onGone(async () => void (await client.send('DELETE', `users/${encodeURIComponent(op.user.id)}`)), 'user already gone');
    default:
      // The capabilities rule these out: v3 has no teams.
      throw new UnsupportedOpError(`${op.kind} is not an Admin API v3 operation (it has no teams)`);
  }
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
