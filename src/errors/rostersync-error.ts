/** Base of every error rostersync raises on purpose: a stable `code`, checked with instanceof, never by message. */
export class RostersyncError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}
