/**
 * A server's own account of its rate window, from X-RateLimit-Limit / -Remaining / -Reset, and the
 * Lua that lets the shared budget follow it (rate-budget.ts). Kept beside the budget's key in a
 * hash: `remaining` (the lowest heard for this window: answers arrive out of order), `reset` (epoch
 * ms) and `pace` (ms between slots so the window's remaining calls last until its reset).
 */
export interface ServerWindow {
  limit: number;
  remaining: number;
  /** When the server's window resets, epoch ms. */
  resetAtMs: number;
}

/** The hash beside a budget key (same hash tag, so the scripts work on Redis Cluster). */
export const serverKey = (budgetKey: string) => `${budgetKey}:server`;

/**
 * X-RateLimit-Reset is epoch seconds in most APIs that send it (and in the contracts rostersync
 * follows); a small value is taken as seconds from now, as some servers send. Undefined when a
 * header is missing or not a number.
 */
export function parseRateHeaders(headers: Headers, nowMs: number): ServerWindow | undefined {
  const num = (name: string) => {
    const v = headers.get(name);
    return v !== null && /^\d+(\.\d+)?$/.test(v.trim()) ? Number(v) : undefined;
  };
  const limit = num('x-ratelimit-limit');
  const remaining = num('x-ratelimit-remaining');
  const reset = num('x-ratelimit-reset');
  if (limit === undefined || remaining === undefined || reset === undefined || limit <= 0) return undefined;
  const resetAtMs = reset > 1e9 ? reset * 1000 : nowMs + reset * 1000;
  return { limit, remaining, resetAtMs };
}

/** Calls slotted this close to a window's reset are counted for the next window, and a spent window waits this long past its reset (latency, clock skew). */
const GUARD_MS = 100;

/**
 * Lua fragment for RESERVE, after the slot is chosen: slots are at least `pace` apart while the
 * server's window lasts (never faster than the configured interval), and each slot handed out is
 * counted for the server window it falls in (`issued`) or the next one heard of (`issuedNext`). Expects `now`,
 * `interval` and KEYS[2]; PACE_COUNT expects `slot`.
 */
export const PACE = `
local srv = redis.call('HMGET', KEYS[2], 'pace', 'reset')
local srvReset = tonumber(srv[2])
if srv[1] and srvReset and srvReset > now and tonumber(srv[1]) > interval then interval = tonumber(srv[1]) end
`;
export const PACE_COUNT = `
local counted = '0'
if pause == 0 then
  -- A call sent just before the reset reaches the server after it: the last GUARD ms count for the next window.
  if srvReset and slot < srvReset - ${GUARD_MS} then
    redis.call('HINCRBY', KEYS[2], 'issued', 1)
    counted = string.format('%.3f', srvReset)
  else
    -- For the window the next answer will name (also before any answer: the first calls of a run).
    redis.call('HINCRBY', KEYS[2], 'issuedNext', 1)
    if redis.call('PTTL', KEYS[2]) < 0 then redis.call('PEXPIRE', KEYS[2], 120000) end
  end
end
`;

/**
 * A call counted for the window ending at ARGV[1] that is sent only now, past that window (a
 * timer that fired late on a busy process): it lands in a later window, so it is counted there too.
 * Counting it twice only errs on the safe side. KEYS[1] server hash.
 */
export const LATE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local counted = tonumber(ARGV[1])
if now < counted - ${GUARD_MS} then return 0 end
local known = tonumber(redis.call('HGET', KEYS[1], 'reset') or '0')
if known > counted + 1 and now < known - ${GUARD_MS} then redis.call('HINCRBY', KEYS[1], 'issued', 1)
else redis.call('HINCRBY', KEYS[1], 'issuedNext', 1) end
return 1
`;

/** How late past its counted window's guard a call must be sent before LATE is worth a round trip. */
export const lateCheckDue = (countedResetMs: number, nowMs: number) =>
  countedResetMs > 0 && nowMs >= countedResetMs - GUARD_MS;

/**
 * KEYS[1] budget key (TAT), KEYS[2] server hash. ARGV: configured interval ms, limit, remaining,
 * reset epoch ms, headroom. The calls this budget handed out for the window and not yet heard
 * back (`issued` - `answered`: booked, sleeping or in flight) will spend the server's remaining
 * too, and `limit x (1 - headroom)` (at least one) stays in reserve. With calls left, the rest is
 * paced over the time from the last booked slot to the reset; with none, no slot is handed out
 * before the reset. An answer from a window already past is ignored. Returns 'none', 'paced' or 'paused'.
 */
export const OBSERVE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local interval = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local remaining = tonumber(ARGV[3])
local reset = tonumber(ARGV[4])
local headroom = tonumber(ARGV[5])
if reset <= now then return 'none' end
local f = redis.call('HMGET', KEYS[2], 'reset', 'remaining', 'issued', 'issuedNext', 'answered')
local known = tonumber(f[1])
local issued, answered
if known and math.abs(known - reset) < 1 then
  if tonumber(f[2]) < remaining then remaining = tonumber(f[2]) end
  issued = tonumber(f[3]) or 0
  answered = (tonumber(f[5]) or 0) + 1
elseif known and reset < known then
  return 'none'
else
  -- A new window: the slots handed out for after the old one's reset belong to it.
  issued = tonumber(f[4]) or 0
  answered = 1
  redis.call('HSET', KEYS[2], 'issued', issued, 'issuedNext', 0)
end
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local outstanding = math.max(0, issued - answered)
local reserve = math.max(1, math.ceil(limit * (1 - headroom)))
local usable = remaining - reserve - outstanding
local pace = interval
local verdict = 'none'
if usable <= 0 then
  -- Nearly spent: nothing more until the window resets (a little after, for clock skew).
  local after = reset + ${GUARD_MS}
  if tat < after then redis.call('SET', KEYS[1], string.format('%.3f', after), 'PX', math.ceil(after - now + 60000)) end
  verdict = 'paused'
else
  local want = (reset - tat) / usable
  if want > interval then
    pace = want
    verdict = 'paced'
  end
end
redis.call('HSET', KEYS[2], 'reset', string.format('%.3f', reset), 'remaining', remaining, 'answered', answered, 'pace', string.format('%.3f', pace))
redis.call('PEXPIRE', KEYS[2], math.ceil(reset - now) + 60000)
return verdict
`;
