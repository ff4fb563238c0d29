/** What a password inside a URL becomes wherever a URL is shown or logged. */
export const URL_PASSWORD_MASK = '[REDACTED]';

/**
 * `redis://user:pa@ss@host:6380/0` -> `redis://user:[REDACTED]@host:6380/0`: the one place a URL's
 * password is masked. The WHATWG parser splits credentials at the last `@` of the authority, so a
 * password holding `@`, `:` or `/` is masked whole, where a regex stops at the first one. Text that
 * does not parse as a URL with credentials is returned unchanged.
 */
export function maskUrl(text: string): string {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) return text;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return maskUnparsed(text);
  }
  if (!url.password) return text;
  // Rebuilt by hand: the URL setter would percent-encode the mask's brackets.
  const rest = text.slice(text.indexOf('//') + 2);
  const at = lastAuthorityAt(rest);
  return `${url.protocol}//${url.username}:${URL_PASSWORD_MASK}@${rest.slice(at + 1)}`;
}

/** Index of the `@` ending the credentials: the last one before the path, query or fragment starts. */
function lastAuthorityAt(rest: string): number {
  const end = rest.search(/[/?#]/);
  const authority = end === -1 ? rest : rest.slice(0, end);
  const at = authority.lastIndexOf('@');
  // A `/` inside a password makes the path start early; then take the last `@` anywhere before `?#`.
  if (at !== -1) return at;
  const q = rest.search(/[?#]/);
  return (q === -1 ? rest : rest.slice(0, q)).lastIndexOf('@');
}

/** A URL the parser refuses (a config error is on its way): still never show what follows `user:`. */
function maskUnparsed(text: string): string {
  const start = text.indexOf('//') + 2;
  const at = text.lastIndexOf('@');
  if (at < start) return text;
  const colon = text.indexOf(':', start);
  return colon !== -1 && colon < at ? `${text.slice(0, colon + 1)}${URL_PASSWORD_MASK}${text.slice(at)}` : text;
}
