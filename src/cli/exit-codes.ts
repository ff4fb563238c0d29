/** Documented exit codes: README's table lists exactly these (a unit test holds them together). */
export const EXIT = {
  ok: 0,
  /** Some ops failed; the rest applied. */
  failedOps: 1,
  /** A safety rule blocked the plan; nothing was written. */
  blocked: 2,
  /** Bad command line (EX_USAGE). */
  usage: 64,
  /** A source, the target or Redis could not be reached or read (EX_UNAVAILABLE). */
  unavailable: 69,
  /** Another run of the profile holds its lock; try again later (EX_TEMPFAIL). */
  tempfail: 75,
  /** Unexpected internal error (EX_SOFTWARE). */
  software: 70,
  /** Bad configuration (EX_CONFIG). */
  config: 78,
  /** Stopped by SIGINT/SIGTERM; the run is kept and continues with --resume (128 + SIGINT). */
  interrupted: 130,
} as const;
