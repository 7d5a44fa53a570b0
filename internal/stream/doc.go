// Package stream moves events between Comanda's services over Redis Streams.
//
// Publisher appends envelopes in pipelines, with every stream capped in length.
// Consumer runs one consumer group on one or more streams: it reads in batches,
// hands messages to a bounded pool of workers, acknowledges only after the
// handler stored its effect (in batches), retries transient failures with
// backoff, reclaims entries a crashed consumer left pending (XAUTOCLAIM), and
// moves what can never succeed to the dead-letter stream, copying it there
// before acknowledging it. Tail reads streams without a group, so that every
// reader sees every event (the dashboard feed).
//
// Delivery is at least once: handlers must be idempotent.
//
// This package knows the event envelope (internal/events) and nothing of any
// app.
package stream
