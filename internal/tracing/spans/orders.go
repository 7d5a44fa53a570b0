package spans

import (
	"context"

	"go.opentelemetry.io/otel/trace"
)

type ordersKey struct{}

// WithOrders returns ctx carrying the span that handles each order.
func WithOrders(ctx context.Context, orders map[string]trace.SpanContext) context.Context {
	return context.WithValue(ctx, ordersKey{}, orders)
}

// Of is the span context that handles orderID under ctx: the order's own
// (WithOrders), else ctx's current span; invalid when neither is.
func Of(ctx context.Context, orderID string) trace.SpanContext {
	if of := Resolver(ctx); of != nil {
		return of(orderID)
	}
	return trace.SpanContext{}
}

// Resolver is Of for many orders, reading ctx once; nil when ctx carries
// no span at all (tracing off), which lets a caller skip the work.
func Resolver(ctx context.Context) func(orderID string) trace.SpanContext {
	m, _ := ctx.Value(ordersKey{}).(map[string]trace.SpanContext)
	current := trace.SpanContextFromContext(ctx)
	if m == nil && !current.IsValid() {
		return nil
	}
	return func(orderID string) trace.SpanContext {
		if sc, ok := m[orderID]; ok {
			return sc
		}
		return current
	}
}
