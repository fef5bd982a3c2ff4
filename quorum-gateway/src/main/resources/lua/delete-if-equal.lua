-- Deletes a key (or a hash field when ARGV[2] is given) only if it still holds exactly ARGV[1].
-- Used to drop a replayed hint, or a tombstone every node holds, without losing a newer write.
local current
if ARGV[2] then current = redis.call('HGET', KEYS[1], ARGV[2]) else current = redis.call('GET', KEYS[1]) end
if current == ARGV[1] then
  if ARGV[2] then return redis.call('HDEL', KEYS[1], ARGV[2]) end
  return redis.call('DEL', KEYS[1])
end
return 0
