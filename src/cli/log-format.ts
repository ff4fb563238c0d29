import { LOG_FORMATS, type LogFormat } from '../log/text-format.js';
import { UsageError } from './args.js';

/** The `--log-format` option as parseArgs takes it. */
export const LOG_FORMAT_OPTION = { 'log-format': { type: 'string' } } as const;

export const LOG_FORMAT_HELP = `  --log-format F     json or text (default: text on a terminal, json otherwise)`;

/**
 * `--log-format` when given; else human lines when stderr (where logs go) is a terminal, so they
 * do not break up the command's output, and JSON lines otherwise (files, pipes, log shippers).
 */
export function chooseLogFormat(flag: string | undefined, stderrIsTTY: boolean | undefined): LogFormat {
  if (flag === undefined) return stderrIsTTY ? 'text' : 'json';
  if (!(LOG_FORMATS as readonly string[]).includes(flag))
    throw new UsageError(`--log-format expects ${LOG_FORMATS.join(' or ')}, got "${flag}"`);
  return flag as LogFormat;
}
