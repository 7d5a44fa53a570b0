package stream

import "github.com/redis/go-redis/v9"

// The consumer's decisions about pending entries run as scripts, so that
// each is atomic: between looking at an entry's owner and idle time and
// acting on them, no other consumer can touch it. They use only commands the
// embedded run's in-process Redis implements, and pass RETRYCOUNT
// explicitly, since JUSTID leaves the count alone in Redis but not in every
// implementation.

// touchScript resets the idle time of entries still owned by the caller and
// sets their delivery count (a count of -1 keeps it); it returns the ids the
// caller no longer owns.
//
//	KEYS[1] stream; ARGV group, consumer, then id and count pairs.
var touchScript = redis.NewScript(`
local lost = {}
for i = 3, #ARGV, 2 do
  local id = ARGV[i]
  local p = redis.call('XPENDING', KEYS[1], ARGV[1], id, id, 1)
  if #p == 0 or p[1][2] ~= ARGV[2] then
    lost[#lost + 1] = id
  else
    local n = tonumber(ARGV[i + 1])
    if n < 0 then n = p[1][4] end
    redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, id, 'RETRYCOUNT', n, 'JUSTID')
  end
end
return lost
`)

// claimScript takes over entries other consumers left idle for at least
// min-idle milliseconds, counting the delivery, and returns them with their
// fields; it also lists the caller's own idle entries, which it leaves
// alone: {last id scanned, entries scanned, {{id, deliveries, fields}, …},
// {{id, deliveries}, …}}. The caller holds most of its own entries; one it
// does not hold was delivered by a read whose answer never arrived. An entry
// deleted from the stream comes back with no fields.
//
//	KEYS[1] stream; ARGV group, consumer, min-idle ms, count, start id.
var claimScript = redis.NewScript(`
local pending = redis.call('XPENDING', KEYS[1], ARGV[1], 'IDLE', ARGV[3], ARGV[5], '+', ARGV[4])
local out, mine = {}, {}
local last = ''
for _, p in ipairs(pending) do
  last = p[1]
  if p[2] ~= ARGV[2] then
    local n = p[4] + 1
    redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], ARGV[3], p[1], 'RETRYCOUNT', n, 'JUSTID')
    local x = redis.call('XRANGE', KEYS[1], p[1], p[1])
    local fields = {}
    if #x > 0 then fields = x[1][2] end
    out[#out + 1] = {p[1], n, fields}
  else
    mine[#mine + 1] = {p[1], p[4]}
  end
end
return {last, #pending, out, mine}
`)

// forgetScript removes a consumer from its group only if it holds nothing:
// removing one that holds entries would drop them from the group's pending
// list for good. It returns 1 when it removed the consumer.
//
//	KEYS[1] stream; ARGV group, consumer.
var forgetScript = redis.NewScript(`
if #redis.call('XPENDING', KEYS[1], ARGV[1], '-', '+', 1, ARGV[2]) > 0 then
  return 0
end
redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], ARGV[2])
return 1
`)
