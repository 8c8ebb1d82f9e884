/**
 * Lua for the Redis limiter: one sorted set per key, member = a unique event id, score = the event's
 * time in ms by the Redis server's clock (TIME), so replicas with skewed clocks agree. Each script runs
 * atomically, so concurrent takes from any number of connections can never overshoot the limit.
 * KEYS[1] = the set; ARGV[1] = window ms; replies are {allowed 0|1, count, retryAfterMs}.
 */

/** Shared start: server time, the window cutoff (events with score ≤ cutoff have left), and the retry helper. */
const PRELUDE = `
if redis.replicate_commands then redis.replicate_commands() end
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local window = tonumber(ARGV[1])
local cutoff = now - window
local function retry_after(count, limit)
  if limit <= 0 then return window end
  local entry = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. cutoff, '+inf', 'WITHSCORES', 'LIMIT', count - limit, 1)
  if entry[2] == nil then return window end
  return math.max(1, tonumber(entry[2]) + window - now)
end
`

/** ARGV[2] = limit, ARGV[3] = this event's unique suffix. Adds the event only when under the limit. */
export const TAKE_SCRIPT = `${PRELUDE}
local limit = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', cutoff)
local count = redis.call('ZCARD', KEYS[1])
if count < limit then
  redis.call('ZADD', KEYS[1], now, now .. ':' .. ARGV[3])
  redis.call('PEXPIRE', KEYS[1], window)
  return {1, count + 1, 0}
end
return {0, count, retry_after(count, limit)}
`

/** ARGV[2] = this event's unique suffix. Adds the event unconditionally. */
export const RECORD_SCRIPT = `${PRELUDE}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', cutoff)
redis.call('ZADD', KEYS[1], now, now .. ':' .. ARGV[2])
redis.call('PEXPIRE', KEYS[1], window)
return {1, redis.call('ZCARD', KEYS[1]), 0}
`

/** ARGV[2] = limit. Read-only: counts the events still in the window without pruning or adding. */
export const PEEK_SCRIPT = `${PRELUDE}
local limit = tonumber(ARGV[2])
local count = redis.call('ZCOUNT', KEYS[1], '(' .. cutoff, '+inf')
if count < limit then return {1, count, 0} end
return {0, count, retry_after(count, limit)}
`
