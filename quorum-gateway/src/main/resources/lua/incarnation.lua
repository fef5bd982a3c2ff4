-- Gives this node a new actor id whenever its Redis process is not the one that last wrote it: a
-- restart may have lost the tail of the data (appendfsync everysec, a copy restored from a backup),
-- counter included, and a dot drawn from a rolled-back counter would reuse one an acknowledged write
-- already has. A new actor id starts a namespace of dots no write has used. Run on every new
-- connection before it carries a write.
-- KEYS: gw:incarnation, gw:actor   ARGV: this process's run id (INFO server), a new actor id
-- Returns 1 when the actor id changed, 0 otherwise.
if redis.call('GET', KEYS[1]) == ARGV[1] and redis.call('GET', KEYS[2]) then return 0 end
redis.call('SET', KEYS[2], ARGV[2])
redis.call('SET', KEYS[1], ARGV[1])
return 1
