package tracing

import (
	"context"
	"testing"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/comanda-dev/comanda/internal/events"
	"github.com/comanda-dev/comanda/internal/tracing/spans"
)

func testProvider(t *testing.T) (*Provider, *tracetest.InMemoryExporter) {
	t.Helper()
	exp := tracetest.NewInMemoryExporter()
	p, err := newProvider(context.Background(), "test-app", sdktrace.ParentBased(workOnly{sdktrace.AlwaysSample()}), sdktrace.WithSyncer(exp))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Shutdown(context.Background()) })
	return p, exp
}

func envelope(orderID string) events.Envelope {
	return events.MustNew("test", orderID, time.Now(), events.DishDelivered{Recipe: "pizza"})
}

func TestInjectExtractRoundTrip(t *testing.T) {
	p, _ := testProvider(t)
	ctx, span := p.Tracer().Start(context.Background(), "place", trace.WithSpanKind(trace.SpanKindServer))
	defer span.End()
	env := envelope("a")
	Inject(ctx, &env)
	if env.Trace == nil || len(env.Trace.Traceparent) != 55 {
		t.Fatalf("injected %+v, want a traceparent", env.Trace)
	}
	back, err := events.Decode(env.Encode())
	if err != nil {
		t.Fatal(err)
	}
	sc := Extract(back)
	if !sc.IsValid() || sc.TraceID() != span.SpanContext().TraceID() || sc.SpanID() != span.SpanContext().SpanID() || !sc.IsSampled() || !sc.IsRemote() {
		t.Errorf("extracted %+v from %+v, want the span %+v", sc, back.Trace, span.SpanContext())
	}
}

func TestNothingInjectedWithoutSpan(t *testing.T) {
	env := envelope("a")
	Inject(context.Background(), &env)
	envs := []events.Envelope{env}
	Stamp(context.Background(), envs)
	if env.Trace != nil || envs[0].Trace != nil {
		t.Errorf("an envelope got a trace without a span: %+v", envs[0].Trace)
	}
	if sc := Extract(env); sc.IsValid() {
		t.Errorf("an envelope without a trace extracted %v", sc)
	}
	bad := envelope("a")
	bad.Trace = &events.Trace{Traceparent: "garbage"}
	if sc := Extract(bad); sc.IsValid() {
		t.Errorf("a malformed traceparent extracted %v", sc)
	}
}

// Each event of a batch carries the span of its own order; one of an order
// the batch has no span for carries the batch's.
func TestStampPerOrder(t *testing.T) {
	p, exp := testProvider(t)
	parents := map[string]trace.SpanContext{}
	var work []spans.Work
	for _, id := range []string{"a", "b", "c"} {
		_, s := p.Tracer().Start(context.Background(), "upstream "+id, trace.WithSpanKind(trace.SpanKindProducer))
		parents[id] = s.SpanContext()
		s.End()
		work = append(work, spans.Work{OrderID: id, Parent: s.SpanContext()})
	}
	ctx, batch := spans.StartBatch(context.Background(), p.Tracer(), "handle", trace.SpanKindConsumer, work)
	envs := []events.Envelope{envelope("a"), envelope("b"), envelope("c"), envelope("other")}
	Stamp(ctx, envs)
	batch.End(nil)
	got := map[string]trace.SpanContext{}
	for _, e := range envs {
		got[e.OrderID] = Extract(e)
	}
	for id, parent := range parents {
		if got[id].TraceID() != parent.TraceID() {
			t.Errorf("order %s's event is in trace %s, want %s", id, got[id].TraceID(), parent.TraceID())
		}
		if got[id].SpanID() == parent.SpanID() {
			t.Errorf("order %s's event carries its parent's span, not its handler's", id)
		}
	}
	if got["other"].TraceID() != parents["a"].TraceID() {
		t.Errorf("an event of no order of the batch is in trace %s, want the batch's (the first order's)", got["other"].TraceID())
	}
	var batchSpan, handled int
	for _, s := range exp.GetSpans() {
		switch s.Name {
		case "handle batch":
			batchSpan++
			if len(s.Links) != 2 || s.Parent.TraceID() != parents["a"].TraceID() {
				t.Errorf("batch span has %d links and parent %v", len(s.Links), s.Parent)
			}
		case "handle":
			handled++
		}
	}
	if batchSpan != 1 || handled != 3 {
		t.Errorf("exported %d batch spans and %d order spans, want 1 and 3", batchSpan, handled)
	}
}

// A database call made for no order starts no trace; one made under a
// request's span is kept.
func TestSamplerDropsRootClientSpans(t *testing.T) {
	p, exp := testProvider(t)
	_, poll := p.Tracer().Start(context.Background(), "SELECT outbox", trace.WithSpanKind(trace.SpanKindClient))
	poll.End()
	ctx, req := p.Tracer().Start(context.Background(), "POST /orders", trace.WithSpanKind(trace.SpanKindServer))
	_, q := p.Tracer().Start(ctx, "INSERT orders", trace.WithSpanKind(trace.SpanKindClient))
	q.End()
	req.End()
	var names []string
	for _, s := range exp.GetSpans() {
		names = append(names, s.Name)
	}
	if len(names) != 2 || names[0] != "INSERT orders" || names[1] != "POST /orders" {
		t.Errorf("exported %v, want the request and its query only", names)
	}
}

func TestSamplerSettings(t *testing.T) {
	for _, ok := range []string{"", "always_on", "always_off", "traceidratio", "parentbased_always_on", "parentbased_always_off", "parentbased_traceidratio"} {
		if _, err := newSampler(ok, "0.5"); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	if _, err := newSampler("jaeger_remote", ""); err == nil {
		t.Error("an unknown sampler was accepted")
	}
	if _, err := newSampler("traceidratio", "2"); err == nil {
		t.Error("a ratio above 1 was accepted")
	}
}
