-- Shared by every script (prepended at load time). A key's state is the MessagePack array
-- {1, vector, siblings}: vector = {{actor, counter}, ...} sorted by actor; a sibling is
-- {actor, counter, value, contentType, deleted, acceptedAt, writer}, siblings sorted by dot.
-- The same rules as dev.ordersaga.gateway.causality.KeyState. Numbers handed to redis.call are
-- formatted as integers (a Lua number would be printed with 14 significant digits).
-- A state that cannot be read (written by something else) counts as empty: joins overwrite it.
local function decode(raw)
  if not raw then return {1, {}, {}} end
  local ok, state = pcall(cmsgpack.unpack, raw)
  if not ok or type(state) ~= 'table' or state[1] ~= 1 or type(state[2]) ~= 'table' or type(state[3]) ~= 'table' then
    return {1, {}, {}}
  end
  return state
end
local function int(n) return string.format('%.0f', n) end
-- Whether a command reached this node after its deadline (node clock, epoch microseconds; '0':
-- none): the gateway has given up on it, so it must not take effect behind everyone's back.
local function late(deadline)
  if deadline == '0' then return false end
  redis.replicate_commands()
  local now = redis.call('TIME')
  return tonumber(now[1]) * 1000000 + tonumber(now[2]) > tonumber(deadline)
end
local function vvmap(list)
  local m = {}
  for _, e in ipairs(list) do m[e[1]] = e[2] end
  return m
end
local function vvlist(m)
  local l = {}
  for a, c in pairs(m) do if c > 0 then l[#l + 1] = {a, c} end end
  table.sort(l, function(x, y) return x[1] < y[1] end)
  return l
end
local function dotkey(s) return s[1] .. '\0' .. int(s[2]) end
local function sortsibs(sibs)
  table.sort(sibs, function(x, y)
    if x[1] ~= y[1] then return x[1] < y[1] end
    return x[2] < y[2]
  end)
end
-- A sibling survives unless the other state has seen its dot and no longer holds it.
local function join(a, b)
  local va, vb = vvmap(a[2]), vvmap(b[2])
  local ina, inb = {}, {}
  for _, s in ipairs(a[3]) do ina[dotkey(s)] = true end
  for _, s in ipairs(b[3]) do inb[dotkey(s)] = true end
  local sibs = {}
  for _, s in ipairs(a[3]) do
    if inb[dotkey(s)] or (vb[s[1]] or 0) < s[2] then sibs[#sibs + 1] = s end
  end
  for _, s in ipairs(b[3]) do
    if not ina[dotkey(s)] and (va[s[1]] or 0) < s[2] then sibs[#sibs + 1] = s end
  end
  for actor, c in pairs(vb) do
    if (va[actor] or 0) < c then va[actor] = c end
  end
  sortsibs(sibs)
  return {1, vvlist(va), sibs}
end
-- Merkle index: mb (hash key -> digest of its state) and mt (hash bucket -> XOR of its digests).
local ZERO = string.rep('0', 40)
local function xorhex(a, b)
  local out = {}
  for i = 1, 40, 8 do
    local x = tonumber(string.sub(a, i, i + 7), 16)
    local y = tonumber(string.sub(b, i, i + 7), 16)
    out[#out + 1] = bit.tohex(bit.bxor(x, y), 8)
  end
  return table.concat(out)
end
local function digest(key, state)
  local dots = {}
  for i, s in ipairs(state[3]) do dots[i] = {s[1], s[2], s[5]} end
  return redis.sha1hex(key .. '\0' .. cmsgpack.pack({state[2], dots}))
end
local function reindex(mt, mb, key, bucket, state)
  local old = redis.call('HGET', mb, key)
  if not old then old = nil end
  local new = nil
  if state then new = digest(key, state) end
  if old == new then return end
  local leaf = redis.call('HGET', mt, bucket)
  if not leaf then leaf = ZERO end
  if old then leaf = xorhex(leaf, old) end
  if new then
    leaf = xorhex(leaf, new)
    redis.call('HSET', mb, key, new)
  else
    redis.call('HDEL', mb, key)
  end
  if leaf == ZERO then redis.call('HDEL', mt, bucket) else redis.call('HSET', mt, bucket, leaf) end
end
