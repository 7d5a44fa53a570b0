package mongo

import (
	"context"
	"errors"
	"testing"

	"go.mongodb.org/mongo-driver/v2/event"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
)

// The command monitor turns each command into a client span under the
// operation's span, ends it on the answer, marks failures, and keeps
// nothing for commands sent outside any trace. (No MongoDB server is
// needed: the driver's events are given directly.)
func TestCommandSpans(t *testing.T) {
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp), sdktrace.WithSampler(sdktrace.ParentBased(sdktrace.NeverSample())))
	defer func() { _ = tp.Shutdown(context.Background()) }()
	cs := &commandSpans{tracer: tp.Tracer("test"), open: map[string]trace.Span{}}
	c := cs.started

	root := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	ctx, op := root.Tracer("test").Start(context.Background(), "reserve")
	c(ctx, &event.CommandStartedEvent{CommandName: "update", DatabaseName: "inventory", RequestID: 1, ConnectionID: "c1"})
	c(ctx, &event.CommandStartedEvent{CommandName: "insert", DatabaseName: "inventory", RequestID: 2, ConnectionID: "c1"})
	cs.succeeded(ctx, &event.CommandSucceededEvent{CommandFinishedEvent: event.CommandFinishedEvent{RequestID: 1, ConnectionID: "c1"}})
	cs.failed(ctx, &event.CommandFailedEvent{CommandFinishedEvent: event.CommandFinishedEvent{RequestID: 2, ConnectionID: "c1"}, Failure: errors.New("write conflict")})
	op.End()
	// Outside any trace: dropped by the parent-based sampler, not kept.
	c(context.Background(), &event.CommandStartedEvent{CommandName: "find", DatabaseName: "inventory", RequestID: 3, ConnectionID: "c1"})

	got := map[string]sdktrace.ReadOnlySpan{}
	for _, s := range exp.GetSpans().Snapshots() {
		got[s.Name()] = s
	}
	upd, ok := got["update inventory"]
	if !ok || upd.SpanKind() != trace.SpanKindClient || upd.Parent().SpanID() != op.SpanContext().SpanID() {
		t.Fatalf("update span: %+v (spans %v)", upd, exp.GetSpans())
	}
	if ins := got["insert inventory"]; ins == nil || ins.Status().Code != codes.Error {
		t.Errorf("the failed insert's span is %+v, want an error status", ins)
	}
	if _, ok := got["find inventory"]; ok {
		t.Error("a command outside any trace was exported")
	}
	if len(cs.open) != 0 {
		t.Errorf("%d spans left open", len(cs.open))
	}
	if newCommandSpans(tp).Started == nil {
		t.Error("the monitor watches no command")
	}
}
