package httpx

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// MetricPrefix heads the name of every metric a Comanda service exports, so
// that one Prometheus holds them beside other systems' without a clash.
const MetricPrefix = "comanda_"

// Registry is a service's metrics. What is registered through it is exported
// under MetricPrefix; the Go runtime and process collectors keep their
// standard names (go_*, process_*), which dashboards and alerts everywhere
// expect. Gather (and Describe, for tests that list every metric a service
// can export, samples or not) read it all.
type Registry struct {
	prometheus.Registerer
	all *prometheus.Registry
}

// NewRegistry returns a metrics registry holding the Go runtime and process
// collectors. Each service has its own, so the embedded run can host three.
func NewRegistry() *Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return &Registry{Registerer: prometheus.WrapRegistererWithPrefix(MetricPrefix, reg), all: reg}
}

// Gatherer is what /metrics serves.
func (r *Registry) Gatherer() prometheus.Gatherer { return r.all }

// Describe sends the descriptions of every metric registered, the standard
// collectors' included.
func (r *Registry) Describe(ch chan<- *prometheus.Desc) { r.all.Describe(ch) }
