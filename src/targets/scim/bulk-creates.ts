import { TargetHttpError } from '../../errors/index.js';
import type { HttpResponse } from '../http/http-client.js';
import { scimErrorMessage, type ScimClient } from './client.js';
import { BULK_REQUEST, bulkResponseSchema } from './payloads.js';

interface Pending {
  body: Record<string, unknown>;
  size: number;
  resolve(res: HttpResponse<unknown>): void;
  reject(err: unknown): void;
}

/**
 * User creates that arrive together (the queue applies several ops at once) go out as one POST /Bulk
 * (RFC 7644 3.7), up to the server's maxOperations and maxPayloadSize, without failOnErrors: each
 * create gets its own answer, as if it had been a POST /Users of its own (a 409 is looked up and
 * linked by the op, as always). A Bulk call that fails as a whole fails every create in it; the
 * queue retries each, and a create the server had applied answers 409 and is linked.
 */
export class BulkCreates {
  private pending: Pending[] = [];
  private bytes = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly client: ScimClient,
    private readonly limits: { maxOperations: number; maxPayloadSize: number },
    private readonly windowMs = 5,
  ) {}

  create(body: Record<string, unknown>): Promise<HttpResponse<unknown>> {
    return new Promise((resolve, reject) => {
      const size = Buffer.byteLength(JSON.stringify(body)) + 64;
      if (this.pending.length > 0 && this.bytes + size + 256 > (this.limits.maxPayloadSize || Infinity)) this.flush();
      this.pending.push({ body, size, resolve, reject });
      this.bytes += size;
      if (this.pending.length >= Math.max(1, this.limits.maxOperations)) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.windowMs);
    });
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    this.pending = [];
    this.bytes = 0;
    if (batch.length > 0) void this.send(batch);
  }

  private async send(batch: Pending[]): Promise<void> {
    try {
      const res = await this.client.send('POST', 'Bulk', {
        schemas: [BULK_REQUEST],
        Operations: batch.map((p, i) => ({ method: 'POST', path: '/Users', bulkId: `u${i}`, data: p.body })),
      });
      const ops = this.client.parse(res, bulkResponseSchema, 'POST', 'Bulk').Operations;
      batch.forEach((p, i) => {
        const op = ops.find((o) => o.bulkId === `u${i}`);
        const status = Number(op?.status ?? 0);
        if (!op || status < 200 || status >= 300) {
          p.reject(
            new TargetHttpError(
              status || 502,
              op ? (scimErrorMessage(op.response) ?? '') : 'no answer for this operation in the Bulk response',
              { method: 'POST', path: 'Bulk' },
            ),
          );
          return;
        }
        const id = op.location?.replace(/\/+$/, '').split('/').pop();
        const body = op.response ?? { ...p.body, id };
        p.resolve({ status, body, headers: res.headers, ...(op.location ? { location: op.location } : {}) });
      });
    } catch (err) {
      for (const p of batch) p.reject(err);
    }
  }
}
