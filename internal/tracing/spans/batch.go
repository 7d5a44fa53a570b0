package spans

import (
	"context"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// MaxLinks bounds the links of one batch's span: a burst of a thousand
// orders links the first MaxLinks.
const MaxLinks = 64

// OrderKey is the attribute that names the order a span works for.
const OrderKey = attribute.Key("comanda.order_id")

// Work is one order of a batch and the trace context it arrived with
// (invalid: the order's span starts a trace of its own).
type Work struct {
	OrderID string
	Parent  trace.SpanContext
	// Name names the order's span (empty: the batch's name).
	Name string
}

// Batch holds the spans StartBatch started; End ends them.
type Batch struct {
	orders []trace.Span
	batch  trace.Span
}

// StartBatch starts, when tracer is not nil, one span per order of work,
// each a child of the order's own parent, and for more than one order a
// span of the whole batch, parented in the first order's span and linked to
// the others (at most MaxLinks). The returned context carries the batch's
// span (the one order's span for a batch of one), under which the batch's
// store and Redis calls go, and every order's span (Of), which the events
// each order causes carry. With a nil tracer it returns ctx unchanged.
func StartBatch(ctx context.Context, tracer trace.Tracer, name string, kind trace.SpanKind, work []Work, attrs ...attribute.KeyValue) (context.Context, Batch) {
	if tracer == nil || len(work) == 0 {
		return ctx, Batch{}
	}
	b := Batch{orders: make([]trace.Span, len(work))}
	orders := make(map[string]trace.SpanContext, len(work))
	var first context.Context
	for i, w := range work {
		parent := ctx
		if w.Parent.IsValid() {
			parent = trace.ContextWithRemoteSpanContext(ctx, w.Parent)
		}
		n := w.Name
		if n == "" {
			n = name
		}
		sctx, span := tracer.Start(parent, n, trace.WithSpanKind(kind),
			trace.WithAttributes(append(attrs, OrderKey.String(w.OrderID))...))
		if i == 0 {
			first = sctx
		}
		b.orders[i] = span
		orders[w.OrderID] = span.SpanContext()
	}
	if len(work) == 1 {
		return WithOrders(first, orders), b
	}
	links := make([]trace.Link, 0, min(len(work)-1, MaxLinks))
	for _, s := range b.orders[1:min(len(b.orders), MaxLinks+1)] {
		links = append(links, trace.Link{SpanContext: s.SpanContext()})
	}
	bctx, batch := tracer.Start(first, name+" batch", trace.WithSpanKind(trace.SpanKindInternal), trace.WithLinks(links...),
		trace.WithAttributes(append(attrs, attribute.Int("comanda.batch.size", len(work)))...))
	b.batch = batch
	return WithOrders(bctx, orders), b
}

// End ends the batch's spans, marking them failed with err when it is not
// nil.
func (b Batch) End(err error) {
	if b.batch != nil {
		End(b.batch, err)
	}
	for _, s := range b.orders {
		End(s, err)
	}
}

// StartLinked starts, when tracer is not nil and one of scs is valid, the
// one span of work done for many orders at once that keeps no span per
// order (a relay's publish, a market purchase): a child of the first valid
// context of scs, linked to the next ones (at most MaxLinks). Without one
// it returns ctx and a nil span, which End takes.
func StartLinked(ctx context.Context, tracer trace.Tracer, name string, kind trace.SpanKind, scs []trace.SpanContext, attrs ...attribute.KeyValue) (context.Context, trace.Span) {
	if tracer == nil {
		return ctx, nil
	}
	var parent trace.SpanContext
	var links []trace.Link
	for _, sc := range scs {
		switch {
		case !sc.IsValid():
		case !parent.IsValid():
			parent = sc
		case len(links) < MaxLinks:
			links = append(links, trace.Link{SpanContext: sc})
		}
	}
	if !parent.IsValid() {
		return ctx, nil
	}
	return tracer.Start(trace.ContextWithRemoteSpanContext(ctx, parent), name,
		trace.WithSpanKind(kind), trace.WithLinks(links...), trace.WithAttributes(attrs...))
}

// End ends s (nil: nothing to end), marking it failed with err when err is
// not nil.
func End(s trace.Span, err error) {
	if s == nil {
		return
	}
	if err != nil {
		s.RecordError(err)
		s.SetStatus(codes.Error, err.Error())
	}
	s.End()
}

// StartRoots starts, when tracer is not nil, a span named name for each of
// orders, each the root of a trace of its own linked to ctx's span: a
// placement of many dishes gives each dish its own trace, all reachable
// from the request that placed them. The returned context carries every
// order's span (Of). With a nil tracer it returns ctx unchanged.
func StartRoots(ctx context.Context, tracer trace.Tracer, name string, kind trace.SpanKind, orders []string, attrs ...attribute.KeyValue) (context.Context, Batch) {
	if tracer == nil || len(orders) == 0 {
		return ctx, Batch{}
	}
	var links []trace.Link
	if sc := trace.SpanContextFromContext(ctx); sc.IsValid() {
		links = []trace.Link{{SpanContext: sc}}
	}
	b := Batch{orders: make([]trace.Span, len(orders))}
	m := make(map[string]trace.SpanContext, len(orders))
	for i, id := range orders {
		_, span := tracer.Start(ctx, name, trace.WithNewRoot(), trace.WithSpanKind(kind), trace.WithLinks(links...),
			trace.WithAttributes(append(attrs, OrderKey.String(id))...))
		b.orders[i] = span
		m[id] = span.SpanContext()
	}
	return WithOrders(ctx, m), b
}
