import type { DesiredPerson } from '../model/index.js';

/**
 * A person's first and last name for targets that keep them apart: the directory's given and family
 * names, else the display name split at its last space ("Ada Lovelace" -> "Ada", "Lovelace"; one
 * word is a first name only). Trimmed, so whitespace alone never makes a change.
 */
export function namesOf(person: Pick<DesiredPerson, 'displayName' | 'givenName' | 'familyName'>): {
  givenName: string;
  familyName: string;
} {
  const given = person.givenName?.trim();
  const family = person.familyName?.trim();
  if (given || family) return { givenName: given ?? '', familyName: family ?? '' };
  const shown = person.displayName.trim();
  const at = shown.lastIndexOf(' ');
  if (at < 0 || shown.includes('@')) return { givenName: shown.includes('@') ? '' : shown, familyName: '' };
  return { givenName: shown.slice(0, at).trim(), familyName: shown.slice(at + 1) };
}
