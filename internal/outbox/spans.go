package outbox

import (
	"context"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/comanda-dev/comanda/internal/events"
	"github.com/comanda-dev/comanda/internal/tracing"
	"github.com/comanda-dev/comanda/internal/tracing/spans"
)

// startSpans starts, with a tracer, a producer span for each event of a
// publish that carries its order's trace ("publish order.placed"), and one
// span of the publish when there are several: its Redis calls go under it.
// Events stored without a trace (tracing was off) get none.
func (r *Relay) startSpans(ctx context.Context, envs []events.Envelope) (context.Context, spans.Batch) {
	if r.opt.Tracer == nil {
		return ctx, spans.Batch{}
	}
	var work []spans.Work
	for _, e := range envs {
		if sc := tracing.Extract(e); sc.IsValid() {
			work = append(work, spans.Work{OrderID: e.OrderID, Parent: sc, Name: "publish " + e.Type})
		}
	}
	return spans.StartBatch(ctx, r.opt.Tracer, "outbox publish", trace.SpanKindProducer, work,
		attribute.String("messaging.system", "redis"))
}
