-- Drops the hints of several keys kept for one node, each only if it still holds exactly the state
-- that was replayed (a newer hint stays): the holders' side of replaying a page of hints.
-- KEYS: hints:<node url>   ARGV: pairs key, state
-- Returns how many were dropped.
local n = 0
for i = 1, #ARGV, 2 do
  if redis.call('HGET', KEYS[1], ARGV[i]) == ARGV[i + 1] then
    n = n + redis.call('HDEL', KEYS[1], ARGV[i])
  end
end
return n
