import { pino, type Logger, type LoggerOptions } from 'pino';
import { textDestination, type LogFormat } from './text-format.js';

export type { Logger };

/** Secret-bearing keys, wherever they sit in a logged object, are censored at every level. */
export const REDACT_PATHS = [
  'password',
  '*.password',
  '*.*.password',
  'secret',
  '*.secret',
  '*.*.secret',
  'apiSecret',
  '*.apiSecret',
  '*.*.apiSecret',
  'clientSecret',
  '*.clientSecret',
  '*.*.clientSecret',
  'bindPassword',
  '*.bindPassword',
  '*.*.bindPassword',
  'sentinelPassword',
  '*.sentinelPassword',
  '*.*.sentinelPassword',
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'err.headers.authorization',
  'token',
  '*.token',
  'accessToken',
  '*.accessToken',
];

/**
 * Logs go to stderr: stdout carries command output (`plan --json | jq` must stay valid JSON).
 * `text` (a command on a terminal) writes one human line per entry and only warnings and errors
 * unless LOG_LEVEL asks for more: the command's own output is what a person reads there.
 */
export function createLogger(options: LoggerOptions = {}, format: LogFormat = 'json'): Logger {
  // LOG_LEVEL wins over the config so an operator can turn on debug output without editing it.
  const level = process.env.LOG_LEVEL ?? (format === 'text' ? 'warn' : (options.level ?? 'info'));
  return pino(
    { redact: { paths: REDACT_PATHS, censor: '[REDACTED]' }, ...options, level },
    format === 'text' ? textDestination() : pino.destination(2),
  );
}

/** A logger that drops everything: for library use and tests that do not look at logs. */
export const silentLogger: Logger = pino({ level: 'silent' });
