import { RostersyncError } from './rostersync-error.js';

/** Bad configuration: names the file and the key path. Exit code 78 (EX_CONFIG). */
export class ConfigError extends RostersyncError {
  constructor(
    message: string,
    readonly keyPath?: string,
    options?: { cause?: unknown },
  ) {
    super('CONFIG_INVALID', message, options);
  }
}
