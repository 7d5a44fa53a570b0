package config

import "strings"

// Tracing holds the OTEL_* variables internal/tracing decides on; the SDK reads
// the others itself (OTEL_RESOURCE_ATTRIBUTES, OTEL_EXPORTER_OTLP_HEADERS,
// OTEL_EXPORTER_OTLP_TIMEOUT, OTEL_BSP_*, …). Services embed it in their
// configuration.
type Tracing struct {
	// OTLPEndpoint is the collector's base URL (…/v1/traces is appended);
	// OTLPTracesEndpoint, the full URL of the traces, wins over it. With
	// neither, tracing is off.
	OTLPEndpoint       string `env:"OTEL_EXPORTER_OTLP_ENDPOINT"`
	OTLPTracesEndpoint string `env:"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"`
	// OTLPProtocol is http/protobuf, the only one served (the traces'
	// own setting wins over it).
	OTLPProtocol       string `env:"OTEL_EXPORTER_OTLP_PROTOCOL" envDefault:"http/protobuf"`
	OTLPTracesProtocol string `env:"OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"`
	// SDKDisabled turns tracing off whatever the endpoint.
	SDKDisabled bool `env:"OTEL_SDK_DISABLED" envDefault:"false"`
	// Sampler and SamplerArg as the specification names them:
	// always_on, always_off, traceidratio, parentbased_always_on,
	// parentbased_always_off, parentbased_traceidratio (arg: the ratio).
	Sampler    string `env:"OTEL_TRACES_SAMPLER" envDefault:"parentbased_always_on"`
	SamplerArg string `env:"OTEL_TRACES_SAMPLER_ARG"`
}

// TracesURL is where the spans go: the traces' own URL as it is, else
// /v1/traces under the base URL, as the OTLP specification has it.
func (s Tracing) TracesURL() string {
	if s.OTLPTracesEndpoint != "" {
		return s.OTLPTracesEndpoint
	}
	return strings.TrimRight(s.OTLPEndpoint, "/") + "/v1/traces"
}

// On reports whether the settings turn tracing on.
func (s Tracing) On() bool {
	return !s.SDKDisabled && (s.OTLPEndpoint != "" || s.OTLPTracesEndpoint != "")
}
