-- Removes a key that holds nothing but a tombstone, only if it still holds exactly that state.
-- KEYS: kv:<key>, mt:<leaves>, mb:<leaves>:<bucket>   ARGV: expected state, key, bucket
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  reindex(KEYS[2], KEYS[3], ARGV[2], ARGV[3], nil)
  return 1
end
return 0
