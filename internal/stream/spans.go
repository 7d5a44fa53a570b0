package stream

import (
	"context"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/comanda-dev/comanda/internal/tracing"
	"github.com/comanda-dev/comanda/internal/tracing/spans"
)

// startSpans starts, with a tracer, one consumer span per message of a
// handler call, each in the trace its envelope carries and named for the
// group and the event ("kitchen order.placed"), and one span of the call
// when it handles several (spans.StartBatch). The handler's context
// carries them, so the events it stores carry each order's own span.
func (c *Consumer) startSpans(ctx context.Context, msgs []Message) (context.Context, spans.Batch) {
	if c.opt.Tracer == nil {
		return ctx, spans.Batch{}
	}
	work := make([]spans.Work, len(msgs))
	for i, m := range msgs {
		work[i] = spans.Work{OrderID: m.Event.OrderID, Parent: tracing.Extract(m.Event), Name: c.opt.Group + " " + m.Event.Type}
	}
	return spans.StartBatch(ctx, c.opt.Tracer, c.opt.Group+" handle", trace.SpanKindConsumer, work,
		attribute.String("messaging.system", "redis"),
		attribute.String("messaging.destination.name", msgs[0].Stream),
		attribute.String("messaging.consumer.group.name", c.opt.Group))
}
