-- Joins a state into what this node holds for a key (replication, read repair, anti-entropy), or
-- into a hint kept for another node. Joins never drop a write the other side has not replaced.
-- Mode 'kv':   KEYS: kv:<key>, mt:<leaves>, mb:<leaves>:<bucket>   ARGV: 'kv', state, key, bucket, deadline
-- Mode 'hint': KEYS: hints:<node url>                             ARGV: 'hint', state, key
-- Returns 1 when the stored state changed, 0 otherwise, -1 when a 'kv' join came after its deadline
-- (node clock, epoch microseconds; '0': none) and was not applied: an old state that arrives that
-- late could otherwise bring back what a delete has since removed.
if ARGV[1] == 'kv' and late(ARGV[5]) then return -1 end
local raw
if ARGV[1] == 'hint' then raw = redis.call('HGET', KEYS[1], ARGV[3]) else raw = redis.call('GET', KEYS[1]) end
if not raw then raw = nil end
local new = join(decode(raw), decode(ARGV[2]))
local packed = cmsgpack.pack(new)
if packed == raw then return 0 end
if ARGV[1] == 'hint' then
  redis.call('HSET', KEYS[1], ARGV[3], packed)
else
  redis.call('SET', KEYS[1], packed)
  reindex(KEYS[2], KEYS[3], ARGV[3], ARGV[4], new)
end
return 1
