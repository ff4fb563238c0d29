import { open } from 'node:fs/promises';
import { Transform, type TransformCallback } from 'node:stream';

const LF = 0x0a;
const QUOTE = 0x22;

/**
 * Sits between the file and csv-parse and notes where every line feed is, so a record's byte range
 * (csv-parse's `bytes`) maps to the physical line it starts on. csv-parse's own `lines` counter is
 * not used: it counts a CRLF inside a quoted field as two lines.
 */
export class LineTracker extends Transform {
  /** Absolute offsets of line feeds not yet passed by a record start. */
  private feeds: number[] = [];
  private head = 0;
  private passed = 0;
  private offset: number;

  /** `start`: byte offset of the stream in the file; `firstLine`: the line number at that offset. */
  constructor(
    start: number,
    private readonly firstLine: number,
  ) {
    super();
    this.offset = start;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    for (let i = chunk.indexOf(LF); i !== -1; i = chunk.indexOf(LF, i + 1)) this.feeds.push(this.offset + i);
    this.offset += chunk.length;
    done(null, chunk);
  }

  /** Line number of the byte at `pos`. Positions must be asked in increasing order. */
  lineAt(pos: number): number {
    while (this.head < this.feeds.length && this.feeds[this.head]! < pos) this.head++;
    if (this.head > 8192) {
      // Drop what no later record can ask about, so memory stays flat on big files.
      this.passed += this.head;
      this.feeds = this.feeds.slice(this.head);
      this.head = 0;
    }
    return this.firstLine + this.passed + this.head;
  }

  /** Line feeds in [pos, to), where pos is the position last given to lineAt. */
  feedsBefore(to: number): number {
    let j = this.head;
    while (j < this.feeds.length && this.feeds[j]! < to) j++;
    return j - this.head;
  }
}

/** The line holding `pos` from there on: where the next line starts (undefined at the end) and its double quotes. */
export async function scanLine(path: string, pos: number): Promise<{ next: number | undefined; quotes: number }> {
  const file = await open(path, 'r');
  try {
    const buf = Buffer.alloc(64 * 1024);
    let quotes = 0;
    for (let at = pos; ;) {
      const { bytesRead } = await file.read(buf, 0, buf.length, at);
      if (bytesRead === 0) return { next: undefined, quotes };
      const chunk = buf.subarray(0, bytesRead);
      const lf = chunk.indexOf(LF);
      const part = lf === -1 ? chunk : chunk.subarray(0, lf);
      for (let i = part.indexOf(QUOTE); i !== -1; i = part.indexOf(QUOTE, i + 1)) quotes++;
      if (lf !== -1) return { next: at + lf + 1, quotes };
      at += bytesRead;
    }
  } finally {
    await file.close();
  }
}
