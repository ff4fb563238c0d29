import { budgetKey, profileKeys, queuePrefix, sourceStatePrefix } from './keys.js';

/**
 * Redis Cluster's slot of a key: CRC16 (XMODEM) of the hash tag (the text between the first `{`
 * and the next `}`, when not empty) or of the whole key, mod 16384.
 */
export function keySlot(key: string): number {
  const open = key.indexOf('{');
  if (open !== -1) {
    const close = key.indexOf('}', open + 1);
    if (close > open + 1) key = key.slice(open + 1, close);
  }
  let crc = 0;
  for (const byte of Buffer.from(key, 'utf8')) {
    crc ^= byte << 8;
    for (let i = 0; i < 8; i += 1) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc % 16384;
}

/** Keys that one script, transaction or multi-key command touches together, with a name for the message. */
export interface KeyGroup {
  name: string;
  keys: string[];
}

/** One message per group whose keys fall in more than one slot: a Cluster would answer CROSSSLOT. */
export function crossSlotProblems(groups: KeyGroup[]): string[] {
  return groups.flatMap(({ name, keys }) => {
    const slots = new Map<number, string>();
    for (const k of keys) if (!slots.has(keySlot(k))) slots.set(keySlot(k), k);
    if (slots.size <= 1) return [];
    const shown = [...slots]
      .slice(0, 3)
      .map(([slot, k]) => `${k} (slot ${slot})`)
      .join(', ');
    return [
      `${name}: keys ${shown} are in ${slots.size} slots; a Redis Cluster refuses them in one script or transaction`,
    ];
  });
}

/** A profile and the keys its source keeps, as suffixes of its key prefix (SourcePlugin.stateKeys). */
export interface ProfileLayout {
  name: string;
  sourceState: readonly string[];
}

/**
 * The groups rostersync uses together: each profile's keys (the store's scripts and MULTIs, its
 * lock, the source's kept state under its key prefix), each BullMQ queue's keys (its Lua scripts
 * take several), and each budget key (one-key scripts, listed so a later change is checked too).
 */
export function keyLayout(
  prefix: string,
  profiles: ProfileLayout[],
  queues: string[],
  budgetHosts: string[],
): KeyGroup[] {
  const profileGroups = profiles.map(({ name: profile, sourceState }) => {
    const k = profileKeys(prefix, profile);
    const run = k.run('check');
    const { run: _run, ...fixed } = k;
    const state = sourceState.map((s) => `${sourceStatePrefix(prefix, profile)}${s}`);
    return {
      name: `profile ${profile}`,
      keys: [...Object.values(fixed), ...Object.values(run), ...state],
    };
  });
  // BullMQ names its keys `<prefix>:<queue>:<suffix>`; these are the ones its add/move scripts join.
  const queueGroups = queues.map((q) => ({
    name: `queue ${q}`,
    keys: [
      'wait',
      'active',
      'delayed',
      'prioritized',
      'completed',
      'failed',
      'meta',
      'events',
      'id',
      'limiter',
      'marker',
      'stalled',
      'pc',
      'de:x',
      'job-1',
    ].map((s) => `${queuePrefix(prefix)}:${q}:${s}`),
  }));
  const budgetGroups = budgetHosts.map((host) => ({ name: `budget ${host}`, keys: [budgetKey(prefix, host)] }));
  return [...profileGroups, ...queueGroups, ...budgetGroups];
}
