// Package tracing gives each Comanda service its own OpenTelemetry tracer
// provider, configured by the standard OTEL_* variables, and carries one
// order's trace across the services inside the event envelope.
//
// Tracing is off unless an OTLP endpoint is set (OTEL_EXPORTER_OTLP_ENDPOINT
// or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) and OTEL_SDK_DISABLED is not true.
// Off, Open returns a nil *Provider: no exporter, no instrumentation hook is
// installed anywhere, envelopes carry no trace field, and the helpers here
// reduce to a context lookup. The embedded run hosts every service in one
// process, so each service opens a Provider of its own with its own
// service.name; nothing here relies on the global provider.
//
// How the context travels: where a service stores an event in its outbox
// (Stamp, called by the outbox writers and by the placement itself), the
// envelope gets the W3C traceparent of the span that handled that event's
// order — a consumer's span for the event that caused it, or the
// placement's (the HTTP request's for one dish). A consumer starts one span per event, a child of the
// envelope's trace context (StartBatch), so one dish is one trace from the
// gateway's proxy span to the delivery.
//
// Batches: a handler call or a warehouse pass serves many orders at once.
// Each order keeps its own span; the one span of the batch (its
// transaction, with the database and Redis spans under it) is parented in
// the first order's trace and linked to the others, so that a one-dish
// trace is complete and a burst's traces each reach the batch by a link. A
// relay's publish is one producer span, a batch send linked to its events'
// traces: each event already carries the span that made it. The
// warehouse's market purchases follow the same rule: buying is coalesced
// across the waiting orders, so a purchase is parented in the oldest
// waiting order that needs the ingredient and linked to the others it
// serves (at most MaxLinks), rather than being a trace of its own that no
// order's trace would show. A placement of many dishes gives each its own
// trace, linked to the request (spans.StartRoots).
//
// Root spans of database and Redis clients (a relay's poll, a consumer's
// blocking read) belong to no order: the sampler drops them, so only work
// done for an order or a request is exported.
//
// Log lines carry the trace (package tracelog); batches and per-order spans
// are package spans, which domains use without depending on the SDK.
//
// The package must not import any app.
package tracing
