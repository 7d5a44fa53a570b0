// Package spans starts the spans of work done for many orders at once (a
// handler's batch, a store transaction, a purchase) and tells, for each
// order, the span that handles it, so that the events a batch emits each
// carry their own order's trace. Domains use it: it depends only on the
// OpenTelemetry trace API, and a nil tracer (tracing off) makes every call
// here a no-op that allocates nothing.
//
// The package must not import any adapter or anything of the module.
package spans
