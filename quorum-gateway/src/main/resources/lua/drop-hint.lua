-- Drops a replayed hint only if it still holds exactly what was replayed (a newer hint stays).
-- KEYS: hints:<node url>   ARGV: key, replayed state
if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then
  return redis.call('HDEL', KEYS[1], ARGV[1])
end
return 0
