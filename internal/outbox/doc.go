// Package outbox publishes the events a service stored together with its
// effects. A service writes an event in the same transaction as the change it
// announces; the Relay publishes stored events to their streams in batches and
// deletes them only after Redis took them. A crash between the database and
// Redis therefore delays an event but never loses it; it may publish an event
// twice, which consumers absorb (they are idempotent).
//
// The package must not import any app.
package outbox
