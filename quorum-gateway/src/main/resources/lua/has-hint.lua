-- Whether this node keeps a hint of a key for any node.
-- KEYS: hints:<node url>...   ARGV: key
-- Returns 1 when one of the hashes holds the key, 0 otherwise.
for i = 1, #KEYS do
  if redis.call('HEXISTS', KEYS[i], ARGV[1]) == 1 then return 1 end
end
return 0
