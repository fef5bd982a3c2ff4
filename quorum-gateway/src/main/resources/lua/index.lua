-- Adds keys written before this node's Merkle index existed (or before GATEWAY_MERKLE_LEAVES
-- changed) to the index. Safe beside writes: each script updates a key's digest atomically.
-- KEYS: mt:<leaves>, then pairs kv:<key>, mb:<leaves>:<bucket>   ARGV: pairs key, bucket
-- A value the gateway cannot read (not written by it) is left out: there is nothing to repair it from.
local n = 0
for i = 1, #ARGV, 2 do
  local raw = redis.call('GET', KEYS[i + 1])
  if raw then
    local state = decode(raw)
    if #state[2] > 0 or #state[3] > 0 then
      reindex(KEYS[1], KEYS[i + 2], ARGV[i], ARGV[i + 1], state)
      n = n + 1
    end
  end
end
return n
