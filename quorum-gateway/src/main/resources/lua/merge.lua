-- Merges sibling versions into what a node holds for one key, atomically.
-- KEYS[1]: the Redis key (a string, or a hash when ARGV[3] names a field)
-- ARGV[1]: JSON array of versions; ARGV[2]: most siblings kept; ARGV[3]: hash field (optional)
-- A version is dropped when a stored one is the same write or has seen it (its context covers the
-- dot); it replaces every stored version whose dot its context covers; otherwise it is a sibling.
-- Returns 1 when the stored value changed, 0 otherwise.
local function same(a, b)
  return a.o[1] == b.o[1] and a.o[2] == b.o[2]
end
local function covers(a, b)
  if same(a, b) then return false end
  local e = a.c[b.o[1]]
  return e ~= nil and e[1] >= b.o[2]
end
local field = ARGV[3]
local raw
if field then raw = redis.call('HGET', KEYS[1], field) else raw = redis.call('GET', KEYS[1]) end
local stored = {}
if raw then stored = cjson.decode(raw) end
local changed = false
for _, v in ipairs(cjson.decode(ARGV[1])) do
  local seen = false
  for _, s in ipairs(stored) do
    if same(s, v) or covers(s, v) then seen = true break end
  end
  if not seen then
    local keep = {}
    for _, s in ipairs(stored) do
      if not covers(v, s) then keep[#keep + 1] = s end
    end
    keep[#keep + 1] = v
    stored = keep
    changed = true
  end
end
local max = tonumber(ARGV[2])
while #stored > max do
  local oldest = 1
  for i, s in ipairs(stored) do
    if s.ts < stored[oldest].ts then oldest = i end
  end
  table.remove(stored, oldest)
end
if changed then
  local encoded = cjson.encode(stored)
  if field then redis.call('HSET', KEYS[1], field, encoded) else redis.call('SET', KEYS[1], encoded) end
end
if changed then return 1 end
return 0
