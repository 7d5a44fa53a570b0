// Package streamlog makes the embedded run's in-process Redis (miniredis)
// durable: it keeps an append-only, fsynced log of the Redis streams in the
// data folder and replays it into a fresh in-process Redis at start.
//
// A Log follows the streams in rounds (about every 50 ms, and on demand):
// each round reads every consumer group's resume point first, then the
// entries added since the last round, the stream's first retained id (trims)
// and its length (deletions in the middle), and appends what changed. A
// group's resume point is the id just before its oldest pending entry, or its
// last-delivered id when nothing is pending; restoring a group earlier than it
// really was only causes redelivery, which idempotent handlers absorb.
// Reading groups before entries means that an acknowledgement is never logged
// without what was written in the same transaction (a dead-letter copy).
//
// The log is the embedded run's replica: a WAIT command sent to the
// in-process Redis runs a round and answers 1 only once everything written
// before it is fsynced, so an outbox that deletes its rows after WAIT
// confirms never loses an event to a crash.
//
// Only streams are logged: every other key the system keeps in Redis is
// ephemeral and rebuilt by the services (orders-app rewrites the order counts
// for the live feed from its store every second).
//
// The package serves cmd/comanda only. It must not import anything of the
// module: neither a service nor the shared packages of the order pipeline;
// it knows Redis streams, not orders.
package streamlog
