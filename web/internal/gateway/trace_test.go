package gateway

import (
	"net/http"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
)

// With a tracer, each proxied call is a client span whose context the
// service receives as its traceparent, in place of the caller's; without
// one, the gateway adds none.
func TestProxiedCallsCarryTheGatewaysSpan(t *testing.T) {
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	defer func() { _ = tp.Shutdown(t.Context()) }()
	orders := newUpstream(t)
	env := newRigEnv(t)
	env.tracer = tp.Tracer("test")
	r := newRigWith(t, env, orders.srv.URL)
	const callers = "00-11111111111111111111111111111111-2222222222222222-01"
	if status, _ := r.call(r.browser(password), "GET", "/api/orders/orders", "", http.Header{"Traceparent": {callers}}); status != http.StatusTeapot {
		t.Fatalf("proxied call answered %d", status)
	}
	var proxy sdktrace.ReadOnlySpan
	for _, s := range exp.GetSpans().Snapshots() {
		if s.Name() == "proxy orders" {
			proxy = s
		}
	}
	if proxy == nil || proxy.SpanKind() != trace.SpanKindClient {
		t.Fatalf("no client span of the proxied call in %v", exp.GetSpans())
	}
	orders.mu.Lock()
	got := orders.reqs[len(orders.reqs)-1].Header.Get("traceparent")
	orders.mu.Unlock()
	want := "00-" + proxy.SpanContext().TraceID().String() + "-" + proxy.SpanContext().SpanID().String() + "-01"
	if got != want {
		t.Errorf("the service got traceparent %q, want the proxy span's %q", got, want)
	}

	// Tracing off: nothing is added to what the caller sent.
	plain := newUpstream(t)
	off := newRigTo(t, plain.srv.URL)
	if status, _ := off.call(off.browser(password), "GET", "/api/orders/orders", "", nil); status != http.StatusTeapot {
		t.Fatalf("proxied call answered %d", status)
	}
	plain.mu.Lock()
	defer plain.mu.Unlock()
	if tp := plain.reqs[len(plain.reqs)-1].Header.Get("traceparent"); tp != "" {
		t.Errorf("with tracing off the service got traceparent %q", tp)
	}
}
