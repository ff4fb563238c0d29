import { TargetHttpError } from '../../errors/index.js';
import type { DatacentralClient } from './client.js';
import { roleSchema } from './payloads.js';
import type { DatacentralTargetConfig } from './schema.js';

/**
 * Roles the sync may create (target.roles) are created the first time a user's list needs one.
 * One POST per missing role per process: concurrent needs share it, and a 409 (another process,
 * or a retry after an applied call) means the role exists. Roles are never updated or deleted.
 */
export class RoleMaker {
  /** Lower-cased name -> the tenant's spelling; unknown until read. */
  private known: Map<string, string> | undefined;
  private readonly pending = new Map<string, Promise<void>>();

  constructor(
    private readonly client: DatacentralClient,
    private readonly declared: DatacentralTargetConfig['roles'],
  ) {}

  /** The list `adopt` last took (a run's learned roles): the same list again changes nothing. */
  private adopted: readonly string[] | undefined;

  /** What a read found. */
  learn(names: readonly string[]): void {
    this.known = new Map(names.map((n) => [n.toLowerCase(), n]));
  }

  /**
   * A run's roles as its read found them: taken once per list, so the roles this process created
   * for the run stay known while it applies the run's ops, and the next run's read replaces them.
   */
  adopt(names: readonly string[]): void {
    if (names === this.adopted) return;
    this.adopted = names;
    this.learn(names);
  }

  /** The names as the tenant spells them, after creating the declared ones it lacks. */
  async ensure(names: string[]): Promise<string[]> {
    if (names.length === 0) return [];
    if (!this.known) this.learn((await this.client.all('roles', roleSchema)).map((r) => r.name));
    const known = this.known!;
    await Promise.all(names.filter((n) => !known.has(n.toLowerCase())).map((n) => this.create(n)));
    return [...new Set(names.map((n) => known.get(n.toLowerCase()) ?? n))];
  }

  private create(name: string): Promise<void> {
    const k = name.toLowerCase();
    const spec = this.declared.find((r) => r.name.toLowerCase() === k);
    // Not declared: the tenant's answer (400 unknown role) fails the op with its message.
    if (!spec) return Promise.resolve();
    let p = this.pending.get(k);
    if (!p) {
      p = this.client
        .send('POST', 'roles', {
          name: spec.name,
          type: spec.type,
          ...(spec.code ? { code: spec.code } : {}),
          ...(spec.description ? { description: spec.description } : {}),
        })
        .then(
          () => undefined,
          (err: unknown) => {
            if (!(err instanceof TargetHttpError && err.status === 409)) throw err;
          },
        )
        .then(() => void this.known!.set(k, spec.name))
        .finally(() => this.pending.delete(k));
      this.pending.set(k, p);
    }
    return p;
  }
}
