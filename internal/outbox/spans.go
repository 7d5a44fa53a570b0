package outbox

import (
	"context"
	"slices"
	"strings"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/comanda-dev/comanda/internal/events"
	"github.com/comanda-dev/comanda/internal/tracing"
	"github.com/comanda-dev/comanda/internal/tracing/spans"
)

// startSpan starts, with a tracer, the one producer span of a publish (a
// batch send, as OpenTelemetry's messaging conventions have it): in the
// trace of the first event that carries one, linked to the next ones (at
// most spans.MaxLinks), with the Redis pipeline under it. Each event
// already carries the span of the work that made it, which its consumer
// continues, so a dish's trace goes on through the streams whatever
// batch its events were published in. A publish of events stored without
// a trace (tracing was off) has no span. end records the outcome.
func (r *Relay) startSpan(ctx context.Context, envs []events.Envelope) (context.Context, func(error)) {
	if r.opt.Tracer == nil {
		return ctx, func(error) {}
	}
	var parent trace.SpanContext
	var links []trace.Link
	var types []string
	for _, e := range envs {
		sc := tracing.Extract(e)
		if !sc.IsValid() {
			continue
		}
		if !parent.IsValid() {
			parent = sc
		} else if len(links) < spans.MaxLinks {
			links = append(links, trace.Link{SpanContext: sc})
		}
		if len(types) < 4 && !slices.Contains(types, e.Type) {
			types = append(types, e.Type)
		}
	}
	if !parent.IsValid() {
		return ctx, func(error) {}
	}
	ctx, span := r.opt.Tracer.Start(trace.ContextWithRemoteSpanContext(ctx, parent), "publish "+strings.Join(types, " "),
		trace.WithSpanKind(trace.SpanKindProducer), trace.WithLinks(links...),
		trace.WithAttributes(attribute.String("messaging.system", "redis"), attribute.String("messaging.operation.type", "send"),
			attribute.Int("messaging.batch.message_count", len(envs))))
	return ctx, func(err error) {
		if err != nil {
			span.RecordError(err)
			span.SetStatus(codes.Error, err.Error())
		}
		span.End()
	}
}
