package tracelog_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/comanda-dev/comanda/internal/tracing/tracelog"
)

func TestLinesCarryTheRecordingSpan(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(tracelog.Handler(slog.NewJSONHandler(&buf, nil))).With("service", "test")
	tp := sdktrace.NewTracerProvider()
	defer tp.Shutdown(context.Background()) //nolint:errcheck // nothing to flush
	ctx, span := tp.Tracer("t").Start(context.Background(), "work")
	log.InfoContext(ctx, "inside")
	span.End()
	log.InfoContext(ctx, "after the span ended")
	log.Info("without a context")

	lines := bytes.Split(bytes.TrimSpace(buf.Bytes()), []byte("\n"))
	if len(lines) != 3 {
		t.Fatalf("logged %d lines", len(lines))
	}
	var first map[string]any
	if err := json.Unmarshal(lines[0], &first); err != nil {
		t.Fatal(err)
	}
	sc := span.SpanContext()
	if first["trace_id"] != sc.TraceID().String() || first["span_id"] != sc.SpanID().String() || first["service"] != "test" {
		t.Errorf("line inside the span: %s", lines[0])
	}
	for _, l := range lines[1:] {
		if bytes.Contains(l, []byte("trace_id")) {
			t.Errorf("a line with no recording span carries a trace: %s", l)
		}
	}
}
