package tracing

import (
	"context"

	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/comanda-dev/comanda/internal/events"
	"github.com/comanda-dev/comanda/internal/tracing/spans"
)

// carrier exposes an envelope's trace context to the W3C propagator.
type carrier struct{ t *events.Trace }

func (c carrier) Get(key string) string {
	switch key {
	case "traceparent":
		return c.t.Traceparent
	case "tracestate":
		return c.t.Tracestate
	}
	return ""
}

func (c carrier) Set(key, value string) {
	switch key {
	case "traceparent":
		c.t.Traceparent = value
	case "tracestate":
		c.t.Tracestate = value
	}
}

func (c carrier) Keys() []string { return []string{"traceparent", "tracestate"} }

var w3c propagation.TraceContext

// encode is the envelope form of sc, nil when sc is invalid.
func encode(sc trace.SpanContext) *events.Trace {
	if !sc.IsValid() {
		return nil
	}
	t := &events.Trace{}
	w3c.Inject(trace.ContextWithSpanContext(context.Background(), sc), carrier{t})
	return t
}

// Inject puts the trace context of ctx's span in env; without a span it
// leaves env as it is.
func Inject(ctx context.Context, env *events.Envelope) {
	if t := encode(trace.SpanContextFromContext(ctx)); t != nil {
		env.Trace = t
	}
}

// Extract is the trace context env carries; invalid when it carries none
// or one that does not parse.
func Extract(env events.Envelope) trace.SpanContext {
	if env.Trace == nil {
		return trace.SpanContext{}
	}
	return trace.SpanContextFromContext(w3c.Extract(context.Background(), carrier{env.Trace}))
}

// Stamp gives every envelope of envs that carries no trace context the one
// of the span that handles its order under ctx (spans.Of): the consumer's
// span of the event that caused it, or the request's. Outbox writers call
// it, so every stored event carries its order's trace. Without spans in
// ctx (tracing off) it changes nothing.
func Stamp(ctx context.Context, envs []events.Envelope) {
	of := spans.Resolver(ctx)
	if of == nil {
		return
	}
	var last trace.SpanContext
	var lastTrace *events.Trace
	for i := range envs {
		if envs[i].Trace != nil {
			continue
		}
		sc := of(envs[i].OrderID)
		if !sc.IsValid() {
			continue
		}
		// A placement's orders share the request's span: encode it once.
		if !sc.Equal(last) {
			last, lastTrace = sc, encode(sc)
		}
		envs[i].Trace = lastTrace
	}
}
