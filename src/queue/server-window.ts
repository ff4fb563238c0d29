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

/**
 * Lua fragment for RESERVE: slots are at least `pace` apart while the server's window lasts
 * (never faster than the configured interval). Expects `now` and `interval`, and KEYS[2].
 */
export const PACE = `
local srv = redis.call('HMGET', KEYS[2], 'pace', 'reset')
if srv[1] and tonumber(srv[2]) > now and tonumber(srv[1]) > interval then interval = tonumber(srv[1]) end
`;

/**
 * KEYS[1] budget key (TAT), KEYS[2] server hash. ARGV: configured interval ms, limit, remaining,
 * reset epoch ms, headroom. Keeps `limit x (1 - headroom)` calls in reserve (at least one) for
 * answers still in flight and slots already handed out. With calls left, paces the rest of the
 * window over the time to its reset; with none, no slot is handed out before the reset.
 * Returns 'none', 'paced' or 'paused'.
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
local seen = redis.call('HMGET', KEYS[2], 'reset', 'remaining', 'pace')
local pace = interval
if seen[1] and math.abs(tonumber(seen[1]) - reset) < 1 then
  if tonumber(seen[2]) < remaining then remaining = tonumber(seen[2]) end
  if tonumber(seen[3]) and tonumber(seen[3]) > pace then pace = tonumber(seen[3]) end
end
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local booked = math.floor((tat - now) / pace)
local reserve = math.max(1, math.ceil(limit * (1 - headroom)))
local usable = remaining - reserve - booked
local ttl = math.ceil(reset - now) + 1000
if usable <= 0 then
  -- Nearly spent: nothing more until the window resets (a little after, for clock skew).
  local after = reset + 50
  if tat < after then redis.call('SET', KEYS[1], string.format('%.3f', after), 'PX', math.ceil(after - now + 60000)) end
  redis.call('HSET', KEYS[2], 'reset', string.format('%.3f', reset), 'remaining', remaining, 'pace', string.format('%.3f', interval))
  redis.call('PEXPIRE', KEYS[2], ttl)
  return 'paused'
end
local want = (reset - tat) / usable
redis.call('HSET', KEYS[2], 'reset', string.format('%.3f', reset), 'remaining', remaining, 'pace', string.format('%.3f', want))
redis.call('PEXPIRE', KEYS[2], ttl)
if want > interval then return 'paced' end
return 'none'
`;
