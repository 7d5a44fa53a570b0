package tracing

import (
	"fmt"
	"strconv"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

// newSampler is the sampler OTEL_TRACES_SAMPLER names, with one rule
// added: a client or internal span that starts a trace is dropped. Those
// are a database's or Redis's calls made for no order and no request (a
// relay's poll, a consumer's blocking read, the trimmer), which would
// otherwise be most of the traces.
func newSampler(name, arg string) (sdktrace.Sampler, error) {
	ratio := func() (float64, error) {
		if arg == "" {
			return 1, nil
		}
		r, err := strconv.ParseFloat(arg, 64)
		if err != nil || r < 0 || r > 1 {
			return 0, fmt.Errorf("tracing: OTEL_TRACES_SAMPLER_ARG %q is not a ratio between 0 and 1", arg)
		}
		return r, nil
	}
	var root sdktrace.Sampler
	parentBased := true
	switch name {
	case "", "parentbased_always_on":
		root = sdktrace.AlwaysSample()
	case "parentbased_always_off":
		root = sdktrace.NeverSample()
	case "parentbased_traceidratio":
		r, err := ratio()
		if err != nil {
			return nil, err
		}
		root = sdktrace.TraceIDRatioBased(r)
	case "always_on":
		root, parentBased = sdktrace.AlwaysSample(), false
	case "always_off":
		root, parentBased = sdktrace.NeverSample(), false
	case "traceidratio":
		r, err := ratio()
		if err != nil {
			return nil, err
		}
		root, parentBased = sdktrace.TraceIDRatioBased(r), false
	default:
		return nil, fmt.Errorf("tracing: OTEL_TRACES_SAMPLER %q is not one this service knows", name)
	}
	root = workOnly{root}
	if parentBased {
		return sdktrace.ParentBased(root), nil
	}
	return root, nil
}

// workOnly drops the client and internal spans that would start a trace.
type workOnly struct{ next sdktrace.Sampler }

func (w workOnly) ShouldSample(p sdktrace.SamplingParameters) sdktrace.SamplingResult {
	parent := trace.SpanContextFromContext(p.ParentContext)
	if !parent.IsValid() && (p.Kind == trace.SpanKindClient || p.Kind == trace.SpanKindInternal) {
		return sdktrace.SamplingResult{Decision: sdktrace.Drop}
	}
	return w.next.ShouldSample(p)
}

func (w workOnly) Description() string { return "WorkOnly{" + w.next.Description() + "}" }
