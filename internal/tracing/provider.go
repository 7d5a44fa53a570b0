package tracing

import (
	"context"
	"errors"
	"fmt"

	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/comanda-dev/comanda/internal/config"
)

// Propagator carries the trace context over HTTP: W3C tracecontext and
// baggage.
var Propagator propagation.TextMapPropagator = propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{})

// Provider is one service's tracing. A nil *Provider is tracing off; its
// methods may be called all the same.
type Provider struct {
	tp     *sdktrace.TracerProvider
	tracer trace.Tracer
}

// Open returns the tracing of service under s: nil when s turns it off,
// else a provider exporting over OTLP/http in batches, whose resource is
// OTEL_RESOURCE_ATTRIBUTES with service.name set to service (each service
// of a process has its own).
func Open(ctx context.Context, service string, s config.Tracing) (*Provider, error) {
	if !s.On() {
		return nil, nil
	}
	proto := s.OTLPProtocol
	if s.OTLPTracesProtocol != "" {
		proto = s.OTLPTracesProtocol
	}
	if proto != "" && proto != "http/protobuf" {
		return nil, fmt.Errorf("tracing: OTLP protocol %q is not supported; use http/protobuf", proto)
	}
	sampler, err := newSampler(s.Sampler, s.SamplerArg)
	if err != nil {
		return nil, err
	}
	// The endpoint is the settings'; the exporter reads the headers,
	// timeout and compression from the OTEL_EXPORTER_OTLP_* variables.
	exp, err := otlptracehttp.New(ctx, otlptracehttp.WithEndpointURL(s.TracesURL()))
	if err != nil {
		return nil, fmt.Errorf("tracing: creating the OTLP exporter: %w", err)
	}
	return newProvider(ctx, service, sampler, sdktrace.WithBatcher(exp))
}

func newProvider(ctx context.Context, service string, sampler sdktrace.Sampler, opts ...sdktrace.TracerProviderOption) (*Provider, error) {
	res, err := resource.New(ctx, resource.WithFromEnv(), resource.WithTelemetrySDK())
	if err != nil && !errors.Is(err, resource.ErrPartialResource) {
		return nil, fmt.Errorf("tracing: reading the resource: %w", err)
	}
	// The service's own name wins over OTEL_SERVICE_NAME and the
	// resource attributes: one process may host every service.
	res, err = resource.Merge(res, resource.NewSchemaless(semconv.ServiceName(service)))
	if err != nil {
		return nil, fmt.Errorf("tracing: naming the service: %w", err)
	}
	tp := sdktrace.NewTracerProvider(append(opts, sdktrace.WithResource(res), sdktrace.WithSampler(sampler))...)
	return &Provider{tp: tp, tracer: tp.Tracer("github.com/comanda-dev/comanda")}, nil
}

// Tracer is the service's tracer; nil when tracing is off, which is what
// the instrumented code tests for.
func (p *Provider) Tracer() trace.Tracer {
	if p == nil {
		return nil
	}
	return p.tracer
}

// TracerProvider is the service's provider, for the instrumentation
// libraries; call it only when p is not nil.
func (p *Provider) TracerProvider() trace.TracerProvider { return p.tp }

// Shutdown exports the spans still buffered and stops the provider.
func (p *Provider) Shutdown(ctx context.Context) error {
	if p == nil {
		return nil
	}
	if err := p.tp.Shutdown(ctx); err != nil {
		return fmt.Errorf("tracing: flushing spans: %w", err)
	}
	return nil
}
