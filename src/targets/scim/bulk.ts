import { TargetHttpError } from '../../errors/index.js';
import type { ScimClient } from './client.js';
import type { ScimServerFacts } from './discovery.js';
import { BULK_REQUEST, bulkResponseSchema, PATCH_OP } from './payloads.js';
import type { PatchOperation } from './profiles.js';

/**
 * Several PATCHes of one resource in as few POST /Bulk calls as the server's maxOperations and
 * maxPayloadSize allow (RFC 7644 3.7), failOnErrors 1. A failed operation fails the whole write with
 * its own status (the retry reads the group again and sends only what is still missing).
 */
export async function bulkPatches(
  client: ScimClient,
  discovery: ScimServerFacts,
  path: string,
  batches: PatchOperation[][],
): Promise<number> {
  const maxOps = Math.max(1, discovery.bulk.maxOperations || batches.length);
  const maxBytes = discovery.bulk.maxPayloadSize || Number.MAX_SAFE_INTEGER;
  const ops = batches.map((Operations) => ({
    method: 'PATCH',
    path: `/${path}`,
    data: { schemas: [PATCH_OP], Operations },
  }));
  const requests: (typeof ops)[] = [];
  let cur: typeof ops = [];
  const size = (list: typeof ops) =>
    Buffer.byteLength(JSON.stringify({ schemas: [BULK_REQUEST], failOnErrors: 1, Operations: list }));
  for (const op of ops) {
    if (cur.length > 0 && (cur.length >= maxOps || size([...cur, op]) > maxBytes)) {
      requests.push(cur);
      cur = [];
    }
    cur.push(op);
  }
  if (cur.length > 0) requests.push(cur);
  for (const Operations of requests) {
    const res = await client.send('POST', 'Bulk', { schemas: [BULK_REQUEST], failOnErrors: 1, Operations });
    const body = client.parse(res, bulkResponseSchema, 'POST', 'Bulk');
    const failed = body.Operations.find((o) => !/^2\d\d$/.test(String(o.status)));
    if (failed) {
      const detail = (failed.response as { detail?: string; scimType?: string } | undefined) ?? {};
      throw new TargetHttpError(Number(failed.status), [detail.scimType, detail.detail].filter((s) => s).join(': '), {
        method: 'POST',
        path: 'Bulk',
      });
    }
  }
  return requests.length;
}
