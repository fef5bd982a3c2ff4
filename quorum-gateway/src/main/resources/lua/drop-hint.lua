-- Drops the hints of one key that still hold exactly a given state (a newer hint stays), from one
-- or more hint hashes of this node: a replayed hint, or the hints a write kept until its nodes took it.
-- KEYS: hints:<node url>...   ARGV: key, state
-- Returns how many were dropped.
local n = 0
for i = 1, #KEYS do
  if redis.call('HGET', KEYS[i], ARGV[1]) == ARGV[2] then
    n = n + redis.call('HDEL', KEYS[i], ARGV[1])
  end
end
return n
