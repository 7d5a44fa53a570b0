// Package otlpsink is an OTLP/http trace receiver that keeps what it is
// sent in memory: the end-to-end tracing test and the benchmark point the
// services' OTEL_EXPORTER_OTLP_ENDPOINT at it. It accepts protobuf bodies,
// plain or gzip, as the OpenTelemetry exporters send them.
//
// The package must not import any app.
package otlpsink

import (
	"compress/gzip"
	"encoding/hex"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"

	collectorpb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"
)

// Span is one received span.
type Span struct {
	Service  string // the resource's service.name
	TraceID  string // hex
	SpanID   string
	ParentID string // empty for a root
	Name     string
	Kind     tracepb.Span_SpanKind
	Links    int
	// Attrs holds the span's string and integer attributes, as text.
	Attrs map[string]string
}

// Sink receives spans. Keep, when false, only counts them.
type Sink struct {
	Keep bool

	mu      sync.Mutex
	spans   []Span
	count   int
	exports int
	srv     *http.Server
	ln      net.Listener
}

// Start serves the sink on addr ("127.0.0.1:0" for any free port) until
// Close.
func Start(addr string, keep bool) (*Sink, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	s := &Sink{Keep: keep, ln: ln}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/traces", s.receive)
	s.srv = &http.Server{Handler: mux}
	go func() { _ = s.srv.Serve(ln) }()
	return s, nil
}

// URL is the base URL to give as OTEL_EXPORTER_OTLP_ENDPOINT.
func (s *Sink) URL() string { return "http://" + s.ln.Addr().String() }

// Close stops serving.
func (s *Sink) Close() error { return s.srv.Close() }

// Spans returns a copy of the spans kept so far.
func (s *Sink) Spans() []Span {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Span(nil), s.spans...)
}

// Counts returns how many spans and export requests were received.
func (s *Sink) Counts() (spans, exports int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.count, s.exports
}

func (s *Sink) receive(w http.ResponseWriter, r *http.Request) {
	var body io.Reader = r.Body
	if r.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		body = zr
	}
	raw, err := io.ReadAll(body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	var req collectorpb.ExportTraceServiceRequest
	if err := proto.Unmarshal(raw, &req); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	s.add(&req)
	out, _ := proto.Marshal(&collectorpb.ExportTraceServiceResponse{})
	w.Header().Set("Content-Type", "application/x-protobuf")
	_, _ = w.Write(out)
}

func (s *Sink) add(req *collectorpb.ExportTraceServiceRequest) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.exports++
	for _, rs := range req.GetResourceSpans() {
		service := ""
		for _, kv := range rs.GetResource().GetAttributes() {
			if kv.GetKey() == "service.name" {
				service = kv.GetValue().GetStringValue()
			}
		}
		for _, ss := range rs.GetScopeSpans() {
			s.count += len(ss.GetSpans())
			if !s.Keep {
				continue
			}
			for _, sp := range ss.GetSpans() {
				s.spans = append(s.spans, convert(service, sp))
			}
		}
	}
}

func convert(service string, sp *tracepb.Span) Span {
	out := Span{
		Service: service, TraceID: hex.EncodeToString(sp.GetTraceId()), SpanID: hex.EncodeToString(sp.GetSpanId()),
		Name: sp.GetName(), Kind: sp.GetKind(), Links: len(sp.GetLinks()), Attrs: map[string]string{},
	}
	if p := sp.GetParentSpanId(); len(p) > 0 {
		out.ParentID = hex.EncodeToString(p)
	}
	for _, kv := range sp.GetAttributes() {
		v := kv.GetValue()
		switch {
		case v.GetStringValue() != "":
			out.Attrs[kv.GetKey()] = v.GetStringValue()
		case v.GetIntValue() != 0:
			out.Attrs[kv.GetKey()] = strconv.FormatInt(v.GetIntValue(), 10)
		}
	}
	return out
}
