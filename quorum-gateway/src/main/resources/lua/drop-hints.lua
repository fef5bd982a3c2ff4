-- Drops hints this node keeps, each only if it still holds exactly a given state (a newer hint
-- stays): the hints writes kept until their nodes took them (those of many writes in one call), or
-- a page of hints replayed to their node.
-- KEYS: hints:<node url>...
-- ARGV: groups of key, state, n, then n indexes into KEYS (the hint hashes to drop that key's hint from)
-- Returns how many were dropped.
local dropped, i = 0, 1
while i <= #ARGV do
  local key, state, n = ARGV[i], ARGV[i + 1], tonumber(ARGV[i + 2])
  for j = 1, n do
    local hints = KEYS[tonumber(ARGV[i + 2 + j])]
    if redis.call('HGET', hints, key) == state then
      dropped = dropped + redis.call('HDEL', hints, key)
    end
  end
  i = i + 3 + n
end
return dropped
