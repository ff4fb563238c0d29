import { pathKey, type KeyPath } from './key-path.js';
import { SECRET_KEYS } from './secrets.js';

export interface Substitution {
  value: unknown;
  /** Paths of strings that held at least one variable: the only values the loader may coerce to numbers. */
  substituted: KeyPath[];
  /** The variables each substituted string read (set ones only), by pathKey: where a value came from, for messages. */
  variables: Map<string, string[]>;
}

/** `$${` (a literal `${`), or `${...}` up to the next `}` (or the end, when unclosed). */
const REFERENCE = /\$\$\{|\$\{([^}]*)(\}?)/g;
const VARIABLE = /^([A-Za-z_][A-Za-z0-9_]*)(?::-(.*))?$/s;

/**
 * Rule templates keep their `${1}` / `${name}`: those are captures of the rule's regex, not
 * environment variables (profiles[i].mapping.rules[j].team, and an access rule's resources).
 */
function isTemplate(p: KeyPath): boolean {
  if (p.length === 6 && p[0] === 'profiles' && p[2] === 'mapping' && p[3] === 'rules' && p[5] === 'team') return true;
  // profiles[i].access[j].dashboards[k] (and datasources, folders): captures of the rule's team pattern.
  return (
    p.length === 6 &&
    p[0] === 'profiles' &&
    p[2] === 'access' &&
    (p[4] === 'dashboards' || p[4] === 'datasources' || p[4] === 'folders')
  );
}

/**
 * `${VAR}` and `${VAR:-default}` in every string value (not in keys). A variable that is unset or
 * empty takes the default; without a default it is a problem naming the variable and the key.
 * A malformed reference is a problem too, so a typo never becomes a literal secret or URL.
 */
export function substituteEnv(
  value: unknown,
  env: NodeJS.ProcessEnv,
  problem: (p: KeyPath, msg: string) => void,
): Substitution {
  const substituted: KeyPath[] = [];
  const variables = new Map<string, string[]>();
  const walk = (v: unknown, p: (string | number)[]): unknown => {
    if (typeof v === 'string') {
      if (isTemplate(p) || !v.includes('${')) return v;
      let used = false;
      const names: string[] = [];
      const out = v.replace(REFERENCE, (all: string, body: string | undefined, close: string | undefined) => {
        if (all === '$${') return '${';
        const m = close ? VARIABLE.exec(body!) : null;
        if (!m) {
          // The text is not echoed: a literal secret could contain "${".
          problem(p, 'malformed variable reference: write ${NAME} or ${NAME:-default}, and $${ for a literal ${');
          return '';
        }
        used = true;
        const [, name, fallback] = m;
        const set = env[name!];
        if (set !== undefined && set !== '') {
          names.push(name!);
          return set;
        }
        if (fallback !== undefined) return fallback;
        problem(p, unsetMessage(name!, p));
        return '';
      });
      if (used) substituted.push([...p]);
      if (names.length > 0) variables.set(pathKey(p), names);
      return out;
    }
    if (Array.isArray(v)) return v.map((x, i) => walk(x, [...p, i]));
    if (v && typeof v === 'object')
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, [...p, k])]));
    return v;
  };
  return { value: walk(value, []), substituted, variables };
}

/** Looks like a credential: by the key it fills, or by the variable's own name (`${REDIS_PASSWORD}` in a URL). */
const SECRET_NAME = /pass(word)?|secret|token|credential|api_?key|private/i;

/**
 * A default is the right hint for a port or a level, the wrong one for a password: a default
 * secret would sit in the config file in clear. For secrets, point at the variable or a file.
 */
function unsetMessage(name: string, p: KeyPath): string {
  const key = String(p[p.length - 1]);
  if (SECRET_KEYS.has(key))
    return `environment variable ${name} is not set: set it, or read the secret from a file with ${key}File`;
  if (SECRET_NAME.test(name))
    return `environment variable ${name} is not set: set it (it holds a secret, so it has no default)`;
  return `environment variable ${name} is not set (write \${${name}:-default} to give a default)`;
}

/** A substituted string as the number or boolean the schema wants ("8080" for a port), or undefined. */
export function coerceScalar(value: unknown, wanted: 'number' | 'boolean'): number | boolean | undefined {
  if (typeof value !== 'string') return undefined;
  const v = value.trim();
  if (wanted === 'boolean') return /^(true|false)$/i.test(v) ? v.toLowerCase() === 'true' : undefined;
  return /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/.test(v) ? Number(v) : undefined;
}
