import { z } from 'zod';

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/;

/** Why a target URL is refused: https is required, plain http only to loopback (the emulators). */
export function insecureUrlProblem(url: URL): string | undefined {
  if (url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.test(url.hostname))) return undefined;
  return `https is required (plain http only for loopback), got ${url.protocol}//${url.host}`;
}

/**
 * A target's `baseUrl`: a URL, https unless to loopback. Checked with the config, so a refusal
 * names the file, line and key like any config error.
 */
export const targetBaseUrl = () =>
  z
    .string()
    .url()
    .superRefine((value, ctx) => {
      const problem = URL.canParse(value) ? insecureUrlProblem(new URL(value)) : undefined;
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    });
