-- Joins the states of several keys into this node (a page of hints being replayed), each exactly
-- as join.lua's 'kv' mode does, in one call.
-- KEYS: mt:<leaves>, then for each key: kv:<key>, mb:<leaves>:<bucket>
-- ARGV: deadline (node clock, epoch microseconds; '0': none), then for each key: key, bucket, state
-- Returns how many stored states changed, or -1 when the call came after its deadline (nothing applied).
if late(ARGV[1]) then return -1 end
local changed = 0
local n = (#ARGV - 1) / 3
for i = 0, n - 1 do
  local kv, mb = KEYS[2 + 2 * i], KEYS[3 + 2 * i]
  local key, bucket, state = ARGV[2 + 3 * i], ARGV[3 + 3 * i], ARGV[4 + 3 * i]
  local raw = redis.call('GET', kv)
  if not raw then raw = nil end
  local new = join(decode(raw), decode(state))
  local packed = cmsgpack.pack(new)
  if packed ~= raw then
    redis.call('SET', kv, packed)
    reindex(KEYS[1], mb, key, bucket, new)
    changed = changed + 1
  end
end
return changed
