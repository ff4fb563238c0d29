import { pino, type Logger, type LoggerOptions } from 'pino';

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

export function createLogger(options: LoggerOptions = {}): Logger {
  // LOG_LEVEL wins over the config so an operator can turn on debug output without editing it.
  // Logs go to stderr: stdout carries command output (`plan --json | jq` must stay valid JSON).
  return pino(
    {
      redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
      ...options,
      level: process.env.LOG_LEVEL ?? options.level ?? 'info',
    },
    pino.destination(2),
  );
}

/** A logger that drops everything: for library use and tests that do not look at logs. */
export const silentLogger: Logger = pino({ level: 'silent' });
