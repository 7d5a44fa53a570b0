package gateway

import (
	"context"

	"github.com/valyala/fasthttp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/comanda-dev/comanda/internal/tracing"
	"github.com/comanda-dev/comanda/internal/tracing/spans"
)

// headerCarrier exposes a proxied request's headers to the propagator.
type headerCarrier struct{ h *fasthttp.RequestHeader }

func (c headerCarrier) Get(key string) string { return string(c.h.Peek(key)) }
func (c headerCarrier) Set(key, value string) { c.h.Set(key, value) }
func (c headerCarrier) Keys() []string {
	var keys []string
	for k := range c.h.All() {
		keys = append(keys, string(k))
	}
	return keys
}

// upstreamSpan starts, with a tracer, the client span of one proxied call
// (a child of the request's span) and writes its trace context into req,
// so that the service continues the trace; it returns the end of the span.
// The client's own traceparent never reaches a service while tracing is
// on: the gateway's replaces it.
func (p *apiProxy) upstreamSpan(ctx context.Context, service, method string, req *fasthttp.Request) func(status int, err error) {
	if p.tracer == nil {
		return func(int, error) {}
	}
	ctx, span := p.tracer.Start(ctx, "proxy "+service, trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(attribute.String("http.request.method", method), attribute.String("comanda.service", service)))
	tracing.Propagator.Inject(ctx, headerCarrier{&req.Header})
	return func(status int, err error) {
		span.SetAttributes(attribute.Int("http.response.status_code", status))
		if err == nil && status >= 500 {
			span.SetStatus(codes.Error, "")
		}
		spans.End(span, err)
	}
}
