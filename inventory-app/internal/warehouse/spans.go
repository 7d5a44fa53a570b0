package warehouse

import (
	"context"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/comanda-dev/comanda/internal/tracing/spans"
)

// orderSpans starts, with a tracer, a span named name for each order of
// ps in the trace of its request, and one of the whole store call: the
// events the call stores carry each order's own span.
func (w *Warehouse) orderSpans(ctx context.Context, name string, ps []*pending) (context.Context, spans.Batch) {
	if w.opt.Tracer == nil || len(ps) == 0 {
		return ctx, spans.Batch{}
	}
	work := make([]spans.Work, len(ps))
	for i, p := range ps {
		work[i] = spans.Work{OrderID: p.orderID, Parent: p.trace}
	}
	return spans.StartBatch(ctx, w.opt.Tracer, name, trace.SpanKindInternal, work)
}

// purchaseSpan starts, with a tracer, the span of one market call for
// ingredient i. Buying is for the waiting orders' total shortfall, not for
// one order: the span is parented in the trace of the oldest waiting order
// that needs the ingredient and linked to the next ones
// (spans.StartLinked), so every order it serves reaches it. The market
// client's own HTTP span goes under it. end records the answer.
func (w *Warehouse) purchaseSpan(ctx context.Context, i int) (context.Context, func(q int, err error)) {
	if w.opt.Tracer == nil {
		return ctx, func(int, error) {}
	}
	var scs []trace.SpanContext
	w.mu.Lock()
	for _, p := range w.queue.items[w.queue.head:] {
		if !p.done && p.needs[i] > 0 && p.trace.IsValid() {
			if scs = append(scs, p.trace); len(scs) > spans.MaxLinks {
				break
			}
		}
	}
	w.mu.Unlock()
	ctx, span := spans.StartLinked(ctx, w.opt.Tracer, "buy "+catalogue[i], trace.SpanKindInternal, scs,
		attribute.String("comanda.ingredient", catalogue[i]))
	return ctx, func(q int, err error) {
		if span != nil {
			span.SetAttributes(attribute.Int("comanda.market.quantity", q))
		}
		spans.End(span, err)
	}
}

// purchaseRecordSpans starts, with a tracer, a span for each purchase of a
// booking batch in the trace of its market call, so that the purchase's
// event (correlated by the first order it serves) continues it.
func (w *Warehouse) purchaseRecordSpans(ctx context.Context, batch []booking, ps []Purchase) (context.Context, spans.Batch) {
	if w.opt.Tracer == nil {
		return ctx, spans.Batch{}
	}
	var work []spans.Work
	for k, b := range batch {
		if !b.trace.IsValid() {
			continue
		}
		first := "" // as boughtEvent correlates it
		if len(ps[k].OrderIDs) > 0 {
			first = ps[k].OrderIDs[0]
		}
		work = append(work, spans.Work{OrderID: first, Parent: b.trace})
	}
	return spans.StartBatch(ctx, w.opt.Tracer, "record purchase", trace.SpanKindInternal, work)
}
