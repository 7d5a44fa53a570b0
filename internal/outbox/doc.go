// Package outbox publishes the events a service stored together with its
// effects. A service writes an event in the same transaction as the change it
// announces; the Relay publishes stored events to their streams in batches and
// deletes them only after Redis took them (and, where configured, after
// replicas confirmed them). A crash between the database and Redis therefore
// delays an event but never loses it; it may publish an event twice, which
// consumers absorb (they are idempotent).
//
// The outbox is also where backpressure lives: while a stream holds more
// unacknowledged entries than its cap (the slowest group is that far
// behind), the relay holds new events in the outbox, durable, and publishes
// them as the group catches up. Redis's memory stays bounded without dropping
// anything.
//
// The package must not import any app.
package outbox
