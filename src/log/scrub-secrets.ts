import type { Config } from '../config/schema.js';
import { SECRET_KEYS } from '../config/secrets.js';
import { maskUrl } from './mask-url.js';

/** Removes every configured secret from a text (an API's error body, a driver's message). */
export type Scrub = (text: string) => string;

/**
 * Every secret value of the config, the webhook URLs themselves, and each secret's Basic credential
 * (`name:secret` in base64, with each string beside it in its object as the name): a target that
 * echoes its Authorization header back in an error body shows that form.
 */
export function secretsOf(config: Config): string[] {
  const out = new Set<string>(config.notify.map((h) => h.url));
  const walk = (v: unknown, key: string): void => {
    if (typeof v === 'string') {
      if (SECRET_KEYS.has(key) && v.length >= 4) out.add(v);
    } else if (Array.isArray(v)) v.forEach((x) => walk(x, key));
    else if (v && typeof v === 'object') {
      const entries = Object.entries(v as Record<string, unknown>);
      for (const [k, x] of entries) walk(x, SECRET_KEYS.has(key) ? key : k);
      for (const [k, secret] of entries) {
        if (!SECRET_KEYS.has(k) || typeof secret !== 'string' || secret.length < 4) continue;
        for (const [, name] of entries)
          if (typeof name === 'string' && name !== secret) out.add(Buffer.from(`${name}:${secret}`).toString('base64'));
      }
    }
  };
  walk(config, '');
  // Longest first: a secret that contains another is blanked whole.
  return [...out].sort((a, b) => b.length - a.length);
}

/** A scrubber for the config's secrets; URL passwords are masked as well. */
export function scrubberFor(config: Config): Scrub {
  const secrets = secretsOf(config);
  return (text) =>
    secrets.reduce(
      (t, sec) => t.split(sec).join('[REDACTED]'),
      text.replace(/[a-z][a-z0-9+.-]*:\/\/\S+/gi, (u) => maskUrl(u)),
    );
}

/** No secrets known (tests, library use): only URL passwords are masked. */
export const maskUrlsOnly: Scrub = (text) => text.replace(/[a-z][a-z0-9+.-]*:\/\/\S+/gi, (u) => maskUrl(u));
