// Package stream moves events between Comanda's services over Redis Streams.
//
// Publisher appends envelopes in pipelines, consecutive events of one type
// packed into one entry; streams are trimmed as their groups consume them
// (Trimmer).
// Consumer runs one consumer group on one or more streams: it reads in batches,
// hands messages to a bounded pool of workers, acknowledges only after the
// handler stored its effect (in batches), retries transient failures with
// backoff, reclaims entries a crashed consumer left pending (XAUTOCLAIM), and
// moves what can never succeed to the dead-letter stream, copying it there
// before acknowledging it. Tail reads streams on a cursor group of its own
// that acknowledges nothing, so that every reader sees every event (the
// dashboard feed).
//
// Delivery is at least once: handlers must be idempotent.
//
// This package knows the event envelope (internal/events) and nothing of the
// services: it must not import any app.
package stream
