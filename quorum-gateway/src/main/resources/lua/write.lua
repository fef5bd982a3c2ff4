-- Accepts a new write on the first node that takes it: draws the write's dot from this node's
-- counter, replaces exactly the siblings the writer's context has seen, and returns the whole new
-- state, which the gateway then replicates to the other nodes. In the same step it keeps that state
-- as a hint for every other node (KEYS[6...]), so a hint exists before the client is told the write
-- is done; the gateway drops each such hint once that node has taken the write.
-- KEYS: kv:<key>, mt:<leaves>, mb:<leaves>:<bucket>, gw:actor, gw:counter, hints:<other node>...
-- ARGV: key, bucket, candidate actor id, context vector, value, content type, deleted (1/0),
--       accepted at (epoch ms), writer, most siblings, most bytes, deadline (node clock, epoch
--       microseconds)
-- Returns {'ok', state}, {'bound', siblings kept, bytes} or {'late'} (both: nothing written). A
-- write that reaches the node after its deadline (the gateway has given up on it and may have
-- asked another node) is refused, so it can never take effect behind everyone's back.
if late(ARGV[12]) then return {'late'} end
local actor = redis.call('GET', KEYS[4])
if not actor then
  actor = ARGV[3]
  redis.call('SET', KEYS[4], actor)
end
local state = decode(redis.call('GET', KEYS[1]))
local ctx = vvmap(cmsgpack.unpack(ARGV[4]))
local kept, bytes = {}, string.len(ARGV[5])
for _, s in ipairs(state[3]) do
  if (ctx[s[1]] or 0) < s[2] then
    kept[#kept + 1] = s
    bytes = bytes + string.len(s[3])
  end
end
if #kept + 1 > tonumber(ARGV[10]) or bytes > tonumber(ARGV[11]) then
  return {'bound', #kept, bytes}
end
local vv = vvmap(state[2])
for a, c in pairs(ctx) do
  if (vv[a] or 0) < c then vv[a] = c end
end
local counter = redis.call('INCR', KEYS[5])
if (vv[actor] or 0) >= counter then
  counter = vv[actor] + 1
  redis.call('SET', KEYS[5], int(counter))
end
vv[actor] = counter
kept[#kept + 1] = {actor, counter, ARGV[5], ARGV[6], ARGV[7] == '1', tonumber(ARGV[8]), ARGV[9]}
sortsibs(kept)
local new = {1, vvlist(vv), kept}
local packed = cmsgpack.pack(new)
redis.call('SET', KEYS[1], packed)
reindex(KEYS[2], KEYS[3], ARGV[1], ARGV[2], new)
for i = 6, #KEYS do
  local held = redis.call('HGET', KEYS[i], ARGV[1])
  if held then
    redis.call('HSET', KEYS[i], ARGV[1], cmsgpack.pack(join(decode(held), new)))
  else
    redis.call('HSET', KEYS[i], ARGV[1], packed)
  end
end
return {'ok', packed}
