// Lua scripts of the Redis balance store (see redis-balance-store.ts). Each runs atomically, so
// replicas never spend the same unit twice. Account hashes hold b (database balance), v (its row
// version), p (charges journaled, not yet committed) and h (held by calls in flight); spendable is
// b − p − h. Integers go back to Redis through string.format('%d'): Lua numbers are doubles, exact to
// 2^53, but redis.call would print large ones in exponent notation.

const AVAILABLE = `
local function available(key)
  local values = redis.call('HMGET', key, 'b', 'p', 'h')
  if not values[1] then return nil end
  return tonumber(values[1]) - tonumber(values[2] or '0') - tonumber(values[3] or '0')
end
local function int(value) return string.format('%d', value) end
`

/**
 * KEYS: user, token (= user when the token does not count), holds. ARGV: estimate, floor, useToken,
 * holdId, hold description. Returns {status, amount, available, tokenIsShort}: status 1 held, 0 refused,
 * -1 user not loaded, -2 token not loaded, -3 neither.
 */
export const RESERVE = `${AVAILABLE}
local useToken = ARGV[3] == '1'
local user = available(KEYS[1])
local token = nil
if useToken then token = available(KEYS[2]) end
if not user or (useToken and not token) then
  local missing = 0
  if not user then missing = missing - 1 end
  if useToken and not token then missing = missing - 2 end
  return {missing, 0, 0, 0}
end
local spendable = user
local short = 0
if token and token < user then spendable = token short = 1 end
local estimate = tonumber(ARGV[1])
if estimate <= 0 then return {1, 0, int(spendable), short} end
if spendable < tonumber(ARGV[2]) then return {0, 0, int(math.max(0, spendable)), short} end
local amount = math.min(estimate, spendable)
redis.call('HINCRBY', KEYS[1], 'h', int(amount))
if useToken then redis.call('HINCRBY', KEYS[2], 'h', int(amount)) end
redis.call('HSET', KEYS[3], ARGV[4], ARGV[5] .. '|' .. int(amount))
return {1, int(amount), int(spendable), short}
`

/**
 * KEYS: user, token, holds, journal stream. ARGV: held amount, actual cost, useToken, holdId, userId,
 * tokenId ('' for none), unlimited (0/1), usage row JSON. Releases the hold (unless a sweep already did:
 * then nothing is held for this call), charges the held part plus what the balance allows beyond it,
 * and appends the journal entry in the same step. Returns {charged, stream id}.
 */
export const SETTLE = `${AVAILABLE}
local useToken = ARGV[3] == '1'
local amount = tonumber(ARGV[1])
if redis.call('HDEL', KEYS[3], ARGV[4]) == 0 then amount = 0 end
if amount > 0 then
  redis.call('HINCRBY', KEYS[1], 'h', int(-amount))
  if useToken then redis.call('HINCRBY', KEYS[2], 'h', int(-amount)) end
end
local actual = tonumber(ARGV[2])
local charged = actual
if actual > amount then
  local spendable = available(KEYS[1]) or 0
  if useToken then spendable = math.min(spendable, available(KEYS[2]) or 0) end
  charged = amount + math.max(0, math.min(actual - amount, spendable - amount))
end
redis.call('HINCRBY', KEYS[1], 'p', int(charged))
if useToken then redis.call('HINCRBY', KEYS[2], 'p', int(charged)) end
local id = redis.call('XADD', KEYS[4], '*', 'c', int(charged), 'u', ARGV[5], 't', ARGV[6], 'f', ARGV[7], 'l', ARGV[8])
return {int(charged), id}
`

/** KEYS: user, token, holds. ARGV: amount, useToken, holdId. Returns a hold untouched (unless a sweep already did). */
export const REFUND = `${AVAILABLE}
if redis.call('HDEL', KEYS[3], ARGV[3]) == 0 then return 0 end
local amount = tonumber(ARGV[1])
redis.call('HINCRBY', KEYS[1], 'h', int(-amount))
if ARGV[2] == '1' then redis.call('HINCRBY', KEYS[2], 'h', int(-amount)) end
return 1
`

/**
 * KEYS: accounts. ARGV: quota, version for each key in turn. Loads accounts that have no balance yet
 * and moves known ones to a newer row only.
 */
export const ADOPT = `
for index, key in ipairs(KEYS) do
  local quota = ARGV[index * 2 - 1]
  local version = ARGV[index * 2]
  local current = redis.call('HGET', key, 'v')
  if not current or tonumber(version) > tonumber(current) then redis.call('HSET', key, 'b', quota, 'v', version) end
end
return #KEYS
`

/**
 * After a batch of journal entries is committed in the database. KEYS: cursor, stream, accounts.
 * ARGV: the batch's last position, then per account: charged, quota ('' when the row is gone), version.
 * Entries before the position leave the stream (XTRIM MINID keeps the last one until the next batch).
 * Skipped when the cursor is already there, so re-running after a crash is harmless.
 */
export const COMMITTED = `
local function after(a, b)
  local am, as = string.match(a, '^(%d+)-(%d+)$')
  local bm, bs = string.match(b, '^(%d+)-(%d+)$')
  am, as, bm, bs = tonumber(am), tonumber(as), tonumber(bm), tonumber(bs)
  return am > bm or (am == bm and as > bs)
end
local cursor = redis.call('GET', KEYS[1])
if cursor and not after(ARGV[1], cursor) then return 0 end
for index = 3, #KEYS do
  local offset = 1 + (index - 3) * 3
  redis.call('HINCRBY', KEYS[index], 'p', string.format('%d', -tonumber(ARGV[offset + 1])))
  local quota = ARGV[offset + 2]
  if quota ~= '' then
    local current = redis.call('HGET', KEYS[index], 'v')
    if not current or tonumber(ARGV[offset + 3]) > tonumber(current) then redis.call('HSET', KEYS[index], 'b', quota, 'v', ARGV[offset + 3]) end
  end
end
redis.call('XTRIM', KEYS[2], 'MINID', ARGV[1])
redis.call('SET', KEYS[1], ARGV[1])
return 1
`

/**
 * KEYS: holds of a replica that stopped, then the key prefix in ARGV[1]. Returns every hold to its
 * accounts and deletes the hash. Returns {holds released, units released}.
 */
export const RELEASE_HOLDS = `
local entries = redis.call('HGETALL', KEYS[1])
local released, units = 0, 0
for index = 1, #entries, 2 do
  local user, token, amount = string.match(entries[index + 1], '^(%d+)|(%d*)|(%d+)$')
  if user then
    local value = string.format('%d', -tonumber(amount))
    redis.call('HINCRBY', ARGV[1] .. 'a:u:' .. user, 'h', value)
    if token ~= '' then redis.call('HINCRBY', ARGV[1] .. 'a:t:' .. token, 'h', value) end
    released = released + 1
    units = units + tonumber(amount)
  end
end
redis.call('DEL', KEYS[1])
return {released, string.format('%d', units)}
`

/**
 * After Redis came back without its last writes (a restart from an AOF or snapshot that missed them):
 * each account's journaled-but-uncommitted charges are summed again from the stream entries after the
 * database's cursor, the only ones not yet in the database. KEYS: stream, cursor, accounts. ARGV: the
 * database's cursor ('' when it has none), the key prefix. The cursor moves there and older entries leave
 * the stream. Returns the number of accounts set.
 */
export const REBUILD_PENDING = `
local from = '-'
if ARGV[1] ~= '' then from = '(' .. ARGV[1] end
local sums = {}
for _, entry in ipairs(redis.call('XRANGE', KEYS[1], from, '+')) do
  local values = {}
  local fields = entry[2]
  for index = 1, #fields, 2 do values[fields[index]] = fields[index + 1] end
  local charged = tonumber(values['c'] or '0')
  local user = ARGV[2] .. 'a:u:' .. (values['u'] or '')
  sums[user] = (sums[user] or 0) + charged
  if values['t'] and values['t'] ~= '' and values['f'] ~= '1' then
    local token = ARGV[2] .. 'a:t:' .. values['t']
    sums[token] = (sums[token] or 0) + charged
  end
end
for index = 3, #KEYS do redis.call('HSET', KEYS[index], 'p', string.format('%d', sums[KEYS[index]] or 0)) end
if ARGV[1] ~= '' then
  redis.call('XTRIM', KEYS[1], 'MINID', ARGV[1])
  redis.call('SET', KEYS[2], ARGV[1])
end
return #KEYS - 2
`

/**
 * A replica's holds after Redis came back without its last writes: holds whose call already ended (its
 * settle or refund was lost with the writes) are given back. KEYS: the replica's holds, then the key
 * prefix in ARGV[1] and the ids of the replica's calls still in flight after it. Returns {holds released,
 * units released}.
 */
export const RELEASE_ENDED_HOLDS = `
local live = {}
for index = 2, #ARGV do live[ARGV[index]] = true end
local entries = redis.call('HGETALL', KEYS[1])
local released, units = 0, 0
for index = 1, #entries, 2 do
  if not live[entries[index]] then
    local user, token, amount = string.match(entries[index + 1], '^(%d+)|(%d*)|(%d+)$')
    if user then
      local value = string.format('%d', -tonumber(amount))
      redis.call('HINCRBY', ARGV[1] .. 'a:u:' .. user, 'h', value)
      if token ~= '' then redis.call('HINCRBY', ARGV[1] .. 'a:t:' .. token, 'h', value) end
      released = released + 1
      units = units + tonumber(amount)
    end
    redis.call('HDEL', KEYS[1], entries[index])
  end
end
return {released, string.format('%d', units)}
`

/**
 * A charge this replica journaled that Redis lost when it restarted without its last writes, journaled
 * again (unless its entry is still there). KEYS: user, token, stream. ARGV: useToken, charged, userId,
 * tokenId, unlimited, usage row JSON, the original position. The new entry names the original in `o`, so
 * the committer can leave it out when the original had reached the database before Redis lost it.
 * Returns the new stream id, or false when the original is still in the stream.
 */
export const REPLAY_CHARGE = `
if #redis.call('XRANGE', KEYS[3], ARGV[7], ARGV[7]) > 0 then return false end
local charged = string.format('%d', tonumber(ARGV[2]))
redis.call('HINCRBY', KEYS[1], 'p', charged)
if ARGV[1] == '1' then redis.call('HINCRBY', KEYS[2], 'p', charged) end
return redis.call('XADD', KEYS[3], '*', 'c', charged, 'u', ARGV[3], 't', ARGV[4], 'f', ARGV[5], 'l', ARGV[6], 'o', ARGV[7])
`

/**
 * A journaled-again charge whose original was in the database after all: out of the stream and out of the
 * pending sums, once (a second call finds no entry). KEYS: stream, user, token. ARGV: entry id, charged, useToken.
 */
export const FORGET_REPLAY = `
if redis.call('XDEL', KEYS[1], ARGV[1]) == 0 then return 0 end
local value = string.format('%d', -tonumber(ARGV[2]))
redis.call('HINCRBY', KEYS[2], 'p', value)
if ARGV[3] == '1' then redis.call('HINCRBY', KEYS[3], 'p', value) end
return 1
`
