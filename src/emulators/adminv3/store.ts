import type { ResolvedAdminV3Options, Role, Status } from './types.js';

export interface UserRec {
  id: string;
  name: string;
  email: string;
  role: Role;
  status: Status;
  created_at: string;
  /** The invitation was accepted (a disabled user who never accepted goes back to pending when enabled). */
  accepted: boolean;
  /** When the (last) invitation was sent, epoch ms. */
  invitedAt: number;
}

/** Users in creation order (the order GET /users pages through), emails unique without regard to case. */
export class AdminV3Store {
  readonly users = new Map<string, UserRec>();
  private seq = 0;

  constructor(private readonly now: () => number) {}

  byEmail(email: string): UserRec | undefined {
    const e = email.trim().toLowerCase();
    for (const u of this.users.values()) if (u.email.toLowerCase() === e) return u;
    return undefined;
  }

  /** An invited user (pending), or an active one (`accepted`: keys' users, test fixtures). */
  create(email: string, name: string, role: Role, accepted = false): UserRec {
    const id = `usr_${(++this.seq).toString(16).padStart(12, '0')}`;
    const t = this.now();
    const u: UserRec = {
      id,
      name,
      email,
      role,
      status: accepted ? 'active' : 'pending',
      created_at: new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      accepted,
      invitedAt: t,
    };
    this.users.set(id, u);
    return u;
  }

  /** Accepts pending invitations: the given address's, or all; returns how many. */
  accept(email?: string): number {
    let n = 0;
    for (const u of this.users.values()) {
      if (u.status !== 'pending' || (email !== undefined && u.email.toLowerCase() !== email.toLowerCase())) continue;
      u.status = 'active';
      u.accepted = true;
      n++;
    }
    return n;
  }

  /** Invitations older than the configured delay are accepted before each request is served. */
  acceptDue(afterMs: number | false): void {
    if (afterMs === false) return;
    const t = this.now();
    for (const u of this.users.values()) {
      if (u.status === 'pending' && u.invitedAt + afterMs <= t) {
        u.status = 'active';
        u.accepted = true;
      }
    }
  }
}

/** The store at start: one active user per API key (by default the owner, an admin). */
export function initialStore(o: ResolvedAdminV3Options): AdminV3Store {
  const s = new AdminV3Store(o.now);
  for (const k of o.keys) if (!s.byEmail(k.email)) s.create(k.email, k.email.split('@')[0]!, k.role ?? 'admin', true);
  return s;
}

/** A user as the API shows it. */
export const dto = (u: UserRec) => ({
  id: u.id,
  name: u.name,
  email: u.email,
  role: u.role,
  status: u.status,
  created_at: u.created_at,
});
