package outbox

import (
	"context"
	"slices"
	"strings"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/comanda-dev/comanda/internal/events"
	"github.com/comanda-dev/comanda/internal/tracing"
	"github.com/comanda-dev/comanda/internal/tracing/spans"
)

// startSpan starts, with a tracer, the one producer span of a publish (a
// batch send, as OpenTelemetry's messaging conventions have it): in the
// trace of the first event that carries one, linked to the next ones
// (spans.StartLinked), with the Redis pipeline under it. Each event
// already carries the span of the work that made it, which its consumer
// continues, so a dish's trace goes on through the streams whatever batch
// its events were published in. A publish of events stored without a
// trace (tracing was off) has no span (nil, which spans.End takes).
func (r *Relay) startSpan(ctx context.Context, envs []events.Envelope) (context.Context, trace.Span) {
	if r.opt.Tracer == nil {
		return ctx, nil
	}
	scs := make([]trace.SpanContext, len(envs))
	var types []string
	for i, e := range envs {
		scs[i] = tracing.Extract(e)
		if scs[i].IsValid() && len(types) < 4 && !slices.Contains(types, e.Type) {
			types = append(types, e.Type)
		}
	}
	return spans.StartLinked(ctx, r.opt.Tracer, "publish "+strings.Join(types, " "), trace.SpanKindProducer, scs,
		attribute.String("messaging.system", "redis"), attribute.String("messaging.operation.type", "send"),
		attribute.Int("messaging.batch.message_count", len(envs)))
}
