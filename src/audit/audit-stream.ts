import { appendFile, mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { pino } from 'pino';
import type { AuditConfig } from '../config/schema.js';
import type { Logger } from '../log/logger.js';
import type { Outbox } from '../notify/outbox.js';
import { AUDIT_SCHEMA, type AuditEvent } from './audit-event.js';

/** The audit stream's logger name: a log shipper routes on it. */
export const AUDIT_LOGGER = 'rostersync.audit';

export interface AuditStreamDeps {
  config: AuditConfig;
  /** A relative `audit.file.path` is read against the config file's directory. */
  baseDir: string;
  /** Where the stream's log lines go: stdout for the daemon (its logs are on stderr), the log otherwise. */
  out: 'stdout' | 'log';
  log: Logger;
  outbox: Outbox;
}

/**
 * Sends audit events to the configured sinks (docs/audit.md): log lines named `rostersync.audit`,
 * a JSON Lines file rotated by size, and a webhook in batches (through the outbox: never awaited
 * by the run). One per runtime; events of a run arrive in order.
 */
export class AuditStream {
  private readonly lines: Logger;
  private readonly file?: RotatingFile;

  constructor(private readonly deps: AuditStreamDeps) {
    this.lines = deps.out === 'stdout' ? stdoutLines() : deps.log.child({ name: AUDIT_LOGGER });
    const f = deps.config.file;
    if (f) {
      const path = resolve(deps.baseDir, f.path);
      this.file = sharedFile(path, () => new RotatingFile(path, f.maxBytes, f.keep, deps.log));
    }
  }

  /** Writes the events to the log and file sinks (awaited) and hands the webhook batches to the outbox. */
  async emit(events: readonly AuditEvent[]): Promise<void> {
    if (events.length === 0) return;
    if (this.deps.config.stdout) for (const e of events) this.lines.info({ audit: e }, 'audit');
    await this.file?.append(events.map((e) => `${JSON.stringify(e)}\n`).join(''));
    const hook = this.deps.config.webhook;
    if (hook)
      for (let i = 0; i < events.length; i += hook.batchSize) {
        const batch = events.slice(i, i + hook.batchSize);
        void this.deps.outbox.post([hook], {
          event: 'audit',
          runId: batch[0]!.runId,
          body: JSON.stringify({ schema: AUDIT_SCHEMA, events: batch }),
        });
      }
  }
}

let stdout: Logger | undefined;
/** One writer on stdout per process, whichever profiles' runtimes emit. */
const stdoutLines = () =>
  (stdout ??= pino({ base: { name: AUDIT_LOGGER }, level: 'info' }, pino.destination({ dest: 1, sync: true })));

/** One writer per file per process (each profile has a runtime; they share the file and its size count). */
const files = new Map<string, RotatingFile>();
function sharedFile(path: string, make: () => RotatingFile): RotatingFile {
  let f = files.get(path);
  if (!f) files.set(path, (f = make()));
  return f;
}

/**
 * A JSON Lines file that rolls over by size: `audit.jsonl` -> `audit.jsonl.1` -> … `.keep`, the
 * oldest dropped. Appends are serialised in this process; a failed write is logged and the events
 * stay in the run's audit (the run page and `status --run` still show them).
 */
class RotatingFile {
  private tail: Promise<void> = Promise.resolve();
  private size?: number;

  constructor(
    private readonly path: string,
    private readonly maxBytes: number,
    private readonly keep: number,
    private readonly log: Logger,
  ) {}

  append(text: string): Promise<void> {
    this.tail = this.tail.then(() =>
      this.write(text).catch((err: NodeJS.ErrnoException) =>
        this.log.error({ file: this.path, code: err.code, err: err.message }, 'audit file not written'),
      ),
    );
    return this.tail;
  }

  private async write(text: string): Promise<void> {
    if (this.size === undefined) {
      await mkdir(dirname(this.path), { recursive: true });
      this.size = await stat(this.path).then(
        (s) => s.size,
        () => 0,
      );
    }
    const bytes = Buffer.byteLength(text);
    if (this.size > 0 && this.size + bytes > this.maxBytes) await this.rotate();
    await appendFile(this.path, text, { mode: 0o640 });
    this.size += bytes;
  }

  private async rotate(): Promise<void> {
    await rm(`${this.path}.${this.keep}`, { force: true });
    for (let i = this.keep - 1; i >= 1; i -= 1)
      await rename(`${this.path}.${i}`, `${this.path}.${i + 1}`).catch(() => undefined);
    await rename(this.path, `${this.path}.1`);
    this.size = 0;
  }
}
