/**
 * The human form of a pino JSON line, for a terminal: `warn: message (key=value, ...)`. pino-pretty
 * does this too, but it is a dev dependency only; this keeps to what a person reading a command's
 * output needs.
 */

/** How logs are written: JSON lines (for machines, the default off a terminal) or one human line each. */
export type LogFormat = 'json' | 'text';

export const LOG_FORMATS: readonly LogFormat[] = ['json', 'text'];

const LEVEL_NAMES: Record<number, string> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
};

/** Fields every pino line carries: not worth a reader's attention on a terminal. */
const HIDDEN = new Set(['level', 'time', 'pid', 'hostname', 'msg']);

/** One JSON log line -> one human line (with its newline); a line that is not JSON passes as it is. */
export function formatLogLine(line: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line.endsWith('\n') ? line : line + '\n';
  }
  const level = typeof entry.level === 'number' ? (LEVEL_NAMES[entry.level] ?? String(entry.level)) : 'log';
  const fields = Object.entries(entry)
    .filter(([k]) => !HIDDEN.has(k))
    .map(([k, v]) => `${k}=${show(v)}`);
  const msg = typeof entry.msg === 'string' ? entry.msg : '';
  return `${level}: ${msg}${fields.length > 0 ? ` (${fields.join(', ')})` : ''}\n`;
}

/** A string as it is, an error (pino's `err` object) by its message, anything else as JSON. */
function show(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v !== null && typeof v === 'object' && typeof (v as { message?: unknown }).message === 'string')
    return (v as { message: string }).message;
  return JSON.stringify(v);
}

/** A pino destination writing the human form of each line to `out` (stderr by default). */
export function textDestination(out: { write(s: string): unknown } = process.stderr): { write(line: string): void } {
  return {
    write(line: string) {
      out.write(formatLogLine(line));
    },
  };
}
