package app_test

import (
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/comanda-dev/comanda/internal/testkit"
	"github.com/comanda-dev/comanda/internal/tracing/otlpsink"
	"github.com/comanda-dev/comanda/internal/tracing/tracelog"
)

// With tracing on, a request continues the trace its traceparent names:
// the service's span is in that trace, and the request's log line carries
// its trace_id and span_id.
func TestARequestsLogLineCarriesItsTrace(t *testing.T) {
	sink, err := otlpsink.Start("127.0.0.1:0", true)
	if err != nil {
		t.Fatal(err)
	}
	defer sink.Close()
	t.Setenv("OTEL_BSP_SCHEDULE_DELAY", "50")
	cfg, _ := backends[1].start(t)
	cfg.Tracing.OTLPEndpoint = sink.URL()
	logs := &testkit.Logs{}
	log := slog.New(tracelog.Handler(slog.NewTextHandler(logs, nil)))
	base := serve(t, cfg, log)
	const traceID, parent = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
	req, _ := http.NewRequest("GET", base+"/api/v1/orders/nope", nil)
	req.Header.Set("traceparent", "00-"+traceID+"-"+parent+"-01")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var line string
	testkit.Eventually(t, "the request's log line", 5*time.Second, func() bool {
		for l := range strings.SplitSeq(logs.String(), "\n") {
			if strings.Contains(l, "path=/api/v1/orders/nope") {
				line = l
				return true
			}
		}
		return false
	})
	if !strings.Contains(line, "trace_id="+traceID) || !strings.Contains(line, "span_id=") {
		t.Errorf("the log line %q does not carry the request's trace", line)
	}
	testkit.Eventually(t, "the request's span at the receiver", 10*time.Second, func() bool {
		for _, s := range sink.Spans() {
			if s.Service == "orders-app" && s.TraceID == traceID && s.ParentID == parent && strings.Contains(line, "span_id="+s.SpanID) {
				return true
			}
		}
		return false
	})
}
