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
	if m, ok := ctx.Value(ordersKey{}).(map[string]trace.SpanContext); ok {
		if sc, ok := m[orderID]; ok {
			return sc
		}
	}
	return trace.SpanContextFromContext(ctx)
}
