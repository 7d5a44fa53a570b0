package mongo

import (
	"context"
	"strconv"
	"sync"

	"go.mongodb.org/mongo-driver/v2/event"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/comanda-dev/comanda/internal/tracing/spans"
)

// commandSpans makes each command the driver sends a client span, a child
// of the span of the operation's context, named for the command and the
// database ("update inventory"). OpenTelemetry's contrib instrumentation
// (otelmongo) serves the driver's previous major version only; this is the
// same command monitor, for this one. Command bodies are left out: they
// hold order data.
type commandSpans struct {
	tracer trace.Tracer
	mu     sync.Mutex
	open   map[string]trace.Span
}

func newCommandSpans(tp trace.TracerProvider) *event.CommandMonitor {
	c := &commandSpans{tracer: tp.Tracer("github.com/comanda-dev/comanda/inventory-app/internal/mongo"), open: map[string]trace.Span{}}
	return &event.CommandMonitor{Started: c.started, Succeeded: c.succeeded, Failed: c.failed}
}

func spanKey(conn string, request int64) string { return conn + "/" + strconv.FormatInt(request, 10) }

func (c *commandSpans) started(ctx context.Context, e *event.CommandStartedEvent) {
	_, span := c.tracer.Start(ctx, e.CommandName+" "+e.DatabaseName, trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(semconv.DBSystemNameMongoDB, semconv.DBNamespace(e.DatabaseName), semconv.DBOperationName(e.CommandName)))
	if !span.IsRecording() {
		return // sent for no order or request: no trace to join
	}
	c.mu.Lock()
	c.open[spanKey(e.ConnectionID, e.RequestID)] = span
	c.mu.Unlock()
}

func (c *commandSpans) take(conn string, request int64) trace.Span {
	k := spanKey(conn, request)
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.open[k]
	delete(c.open, k)
	return s
}

func (c *commandSpans) succeeded(_ context.Context, e *event.CommandSucceededEvent) {
	if s := c.take(e.ConnectionID, e.RequestID); s != nil {
		s.End()
	}
}

func (c *commandSpans) failed(_ context.Context, e *event.CommandFailedEvent) {
	if s := c.take(e.ConnectionID, e.RequestID); s != nil {
		spans.End(s, e.Failure)
	}
}
