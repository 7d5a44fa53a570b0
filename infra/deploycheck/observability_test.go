package deploycheck

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net"
	"net/http"
	"net/url"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
	"go.yaml.in/yaml/v4"
)

// The observability profile (docs/observability.md): third-party services
// that `docker compose --profile observability` adds to the stack, never
// part of a plain `docker compose up`, configured by the files under
// observability/.

const observabilityProfile = "observability"

// imageFacts is what a third-party image does by default, which no file
// here says and these checks cannot read from the image.
type imageFacts struct {
	// ports the image's own configuration listens on, by purpose.
	ports map[string]uint32
	// probe: the image has a shell and wget, so a healthcheck can run in
	// it; the collector's image holds its binary alone.
	probe bool
}

var thirdPartyImages = map[string]imageFacts{
	"otel/opentelemetry-collector-contrib": {},
	// Jaeger v2's all-in-one configuration: OTLP in, the query UI and API.
	"jaegertracing/jaeger": {ports: map[string]uint32{"otlp-grpc": 4317, "otlp-http": 4318, "query": 16686}, probe: true},
	"prom/prometheus":      {ports: map[string]uint32{"http": 9090}, probe: true},
	"grafana/grafana":      {ports: map[string]uint32{"http": 3000}, probe: true},
}

// traceViewerImage receives the collector's traces.
const traceViewerImage = "jaegertracing/jaeger"

// observability is the stack loaded with and without the profile.
type observability struct {
	plain, full *types.Project
	// profile holds the services only the profile starts.
	profile []string
	// endpoint is what `make up PROFILE=observability` gives the services
	// as OTEL_EXPORTER_OTLP_ENDPOINT.
	endpoint *url.URL
}

func loadObservability(t *testing.T) observability {
	t.Helper()
	var o observability
	o.endpoint = makeOTLPEndpoint(t)
	env := dummyEnvironment(t)
	var err error
	if o.plain, err = loadCompose(t, env); err != nil {
		t.Fatalf("loading %s: %v", composeFile, err)
	}
	env["OTEL_EXPORTER_OTLP_ENDPOINT"] = o.endpoint.String()
	o.full, err = loader.LoadWithContext(context.Background(), composeDetails(t, env), func(opt *loader.Options) {
		opt.SetProjectName("comanda", true)
		opt.Profiles = []string{observabilityProfile}
	})
	if err != nil {
		t.Fatalf("loading %s with --profile %s: %v", composeFile, observabilityProfile, err)
	}
	for _, name := range slices.Sorted(maps.Keys(o.full.Services)) {
		if len(o.full.Services[name].Profiles) > 0 {
			o.profile = append(o.profile, name)
		}
	}
	if len(o.profile) == 0 {
		t.Fatalf("%s has no service in a profile", composeFile)
	}
	return o
}

// makeOTLPEndpoint reads the collector endpoint `make up` sets with the
// observability profile, and checks that it is set only then.
func makeOTLPEndpoint(t *testing.T) *url.URL {
	t.Helper()
	mk := read(t, "Makefile")
	m := regexp.MustCompile(`(?m)^OTLP_COLLECTOR\s*:?=\s*(\S+)\s*$`).FindStringSubmatch(mk)
	if m == nil {
		t.Fatal("Makefile: no OTLP_COLLECTOR, the collector endpoint of the observability profile")
	}
	u, err := url.Parse(m[1])
	if err != nil || u.Scheme != "http" || u.Port() == "" || u.Path != "" {
		t.Fatalf("Makefile: OTLP_COLLECTOR = %q: want http://service:port (the services append /v1/traces)", m[1])
	}
	recipe := regexp.MustCompile(`(?m)^up:\n\t(.*)$`).FindStringSubmatch(mk)
	want := "$(if $(filter " + observabilityProfile + ",$(PROFILE)),OTEL_EXPORTER_OTLP_ENDPOINT=$(OTLP_COLLECTOR))"
	if recipe == nil || !strings.HasPrefix(recipe[1], want+" docker compose ") {
		t.Fatalf("Makefile: up's recipe does not start with %s docker compose ...", want)
	}
	return u
}

// mounted returns the repository file a service mounts as a compose config
// at target, relative to the root.
func mounted(t *testing.T, p *types.Project, service, target string) (string, bool) {
	t.Helper()
	for _, c := range p.Services[service].Configs {
		if c.Target != target {
			continue
		}
		cfg, ok := p.Configs[c.Source]
		if !ok || cfg.File == "" {
			return "", false
		}
		rel, err := filepath.Rel(root(t), cfg.File)
		if err != nil {
			t.Fatal(err)
		}
		return filepath.ToSlash(rel), true
	}
	return "", false
}

// mountedYAML parses the YAML file a service mounts at target.
func mountedYAML(t *testing.T, p *types.Project, service, target string) (yml, string) {
	t.Helper()
	file, ok := mounted(t, p, service, target)
	if !ok {
		t.Fatalf("%s: %s mounts no file of the repository at %s", composeFile, service, target)
	}
	var doc any
	if err := yaml.Unmarshal([]byte(read(t, file)), &doc); err != nil {
		t.Fatalf("parsing %s: %v", file, err)
	}
	return yml{doc}, file
}

// serviceOfImage is the one service running an image repository.
func (o observability) serviceOfImage(t *testing.T, repo string) string {
	t.Helper()
	var names []string
	for _, name := range o.profile {
		if imageRepo(o.full.Services[name].Image) == repo {
			names = append(names, name)
		}
	}
	if len(names) != 1 {
		t.Fatalf("%s: want one service of the %s profile running %s, got %v", composeFile, observabilityProfile, repo, names)
	}
	return names[0]
}

func imageRepo(image string) string {
	repo, _, _ := strings.Cut(image, ":")
	return repo
}

// flag returns the value of --name=value in a command.
func flag(cmd []string, name string) (string, bool) {
	for _, arg := range cmd {
		if v, ok := strings.CutPrefix(arg, "--"+name+"="); ok {
			return v, true
		}
	}
	return "", false
}

// hostPort splits host:port.
func hostPort(addr string) (string, uint32, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", 0, err
	}
	n, err := strconv.ParseUint(port, 10, 16)
	return host, uint32(n), err
}

// TestObservabilityProfileIsSeparate checks that the profile only adds: a
// plain `docker compose up` runs the services it ran before, none of them
// depends on a profile's service, and the profile's services are in the
// observability profile alone, none of them a deployable.
func TestObservabilityProfileIsSeparate(t *testing.T) {
	o := loadObservability(t)
	var bad problems
	for _, name := range o.profile {
		svc := o.full.Services[name]
		if !slices.Equal(svc.Profiles, []string{observabilityProfile}) {
			bad.addf("%s: profiles %v, want [%s] alone", name, svc.Profiles, observabilityProfile)
		}
		if _, ok := o.plain.Services[name]; ok {
			bad.addf("%s runs in a plain docker compose up", name)
		}
		if _, ok := o.plain.DisabledServices[name]; !ok {
			bad.addf("%s is not among the services a plain docker compose up leaves out", name)
		}
	}
	for _, d := range deployables(t) {
		if slices.Contains(o.profile, d.name) {
			bad.addf("%s is a deployable: it must run without a profile", d.name)
		}
	}
	plain := slices.Sorted(maps.Keys(o.plain.Services))
	if want := slices.DeleteFunc(slices.Sorted(maps.Keys(o.full.Services)), func(s string) bool { return slices.Contains(o.profile, s) }); !slices.Equal(plain, want) {
		bad.addf("a plain docker compose up runs %v, want %v", plain, want)
	}
	for _, name := range plain {
		for dep := range o.plain.Services[name].DependsOn {
			if slices.Contains(o.profile, dep) {
				bad.addf("%s depends on %s, which only the %s profile starts", name, dep, observabilityProfile)
			}
		}
	}
	t.Logf("the %s profile adds %s", observabilityProfile, strings.Join(o.profile, ", "))
	bad.report(t, composeFile+" (profile "+observabilityProfile+")")
}

// pinnedTag is an image tag that names a release: 1.2.3 or v1.2.3.
var pinnedTag = regexp.MustCompile(`^v?\d+\.\d+\.\d+$`)

// TestObservabilityServicesHardened checks the profile's services as the
// stack's are: pinned images, restarted unless stopped, a read-only root
// file system, no capabilities, no privilege gained, ports published on the
// loopback interface only, a healthcheck wherever the image can run one,
// and dependencies waited for until healthy.
func TestObservabilityServicesHardened(t *testing.T) {
	o := loadObservability(t)
	var bad problems
	published := map[string]string{}
	for _, name := range slices.Sorted(maps.Keys(o.full.Services)) {
		for _, p := range o.full.Services[name].Ports {
			if p.Published == "" {
				continue
			}
			if other, ok := published[p.Published]; ok {
				bad.addf("%s and %s both publish host port %s", other, name, p.Published)
			}
			published[p.Published] = name
		}
	}
	for _, name := range o.profile {
		svc := o.full.Services[name]
		repo, tag, _ := strings.Cut(svc.Image, ":")
		facts, known := thirdPartyImages[repo]
		switch {
		case svc.Build != nil:
			bad.addf("%s: built here; the profile runs published images only", name)
		case !known:
			bad.addf("%s: image %s is not one these checks know (thirdPartyImages)", name, svc.Image)
		case !pinnedTag.MatchString(tag):
			bad.addf("%s: image %s is not pinned to a release (repository:1.2.3)", name, svc.Image)
		}
		if svc.Restart != types.RestartPolicyUnlessStopped {
			bad.addf("%s: restart %q, want unless-stopped", name, svc.Restart)
		}
		if !svc.ReadOnly {
			bad.addf("%s: the root file system is writable (read_only: true)", name)
		}
		if !slices.Equal(svc.CapDrop, []string{"ALL"}) || len(svc.CapAdd) > 0 {
			bad.addf("%s: cap_drop %v, cap_add %v: want every capability dropped", name, svc.CapDrop, svc.CapAdd)
		}
		if !slices.Contains(svc.SecurityOpt, "no-new-privileges:true") {
			bad.addf("%s: no security_opt no-new-privileges:true", name)
		}
		if svc.Privileged || svc.NetworkMode != "" {
			bad.addf("%s: privileged or on another network mode", name)
		}
		for _, p := range svc.Ports {
			if p.HostIP != "127.0.0.1" {
				bad.addf("%s: port %d is published on %q, want the loopback interface only (host_ip: 127.0.0.1)", name, p.Target, p.HostIP)
			}
		}
		hc := svc.HealthCheck
		hasHealthcheck := hc != nil && !hc.Disable && len(hc.Test) > 0
		switch {
		case known && facts.probe && !hasHealthcheck:
			bad.addf("%s: no healthcheck, though its image can run one", name)
		case known && !facts.probe && hasHealthcheck:
			bad.addf("%s: a healthcheck its image cannot run (no shell, no HTTP client in it)", name)
		}
		for dep, cond := range svc.DependsOn {
			d := o.full.Services[dep]
			depProbed := d.HealthCheck != nil && !d.HealthCheck.Disable && len(d.HealthCheck.Test) > 0
			if depProbed && cond.Condition != types.ServiceConditionHealthy {
				bad.addf("%s: depends on %s with condition %q, want service_healthy", name, dep, cond.Condition)
			}
		}
		for _, c := range svc.Configs {
			cfg, ok := o.full.Configs[c.Source]
			rel, _ := filepath.Rel(root(t), cfg.File)
			if !ok || cfg.File == "" || !strings.HasPrefix(filepath.ToSlash(rel), "observability/") {
				bad.addf("%s: config %s is not a file under observability/", name, c.Source)
			}
		}
	}
	bad.report(t, composeFile+" (profile "+observabilityProfile+")")
}

// TestTracesReachTheViewer checks the way of the spans with the profile on:
// `make up` gives every service that traces the collector's OTLP/HTTP
// address, the collector receives OTLP there, and its traces pipeline sends
// them to the trace viewer's OTLP port.
func TestTracesReachTheViewer(t *testing.T) {
	o := loadObservability(t)
	var bad problems
	collector := o.serviceOfImage(t, "otel/opentelemetry-collector-contrib")
	viewer := o.serviceOfImage(t, traceViewerImage)

	// The services: every deployable that reads the endpoint gets it from
	// the shell (empty by default), and the wiring rule holds with it set.
	model := rawCompose(t)
	for _, d := range deployables(t) {
		if _, reads := d.variable("OTEL_EXPORTER_OTLP_ENDPOINT"); !reads {
			continue
		}
		if raw := rawEnvironment(t, model, d.name)["OTEL_EXPORTER_OTLP_ENDPOINT"]; raw != "${OTEL_EXPORTER_OTLP_ENDPOINT:-}" {
			bad.addf("%s: OTEL_EXPORTER_OTLP_ENDPOINT = %q, want ${OTEL_EXPORTER_OTLP_ENDPOINT:-} (no tracing unless the shell or .env names a collector)", d.name, raw)
		}
		if v := o.full.Services[d.name].Environment["OTEL_EXPORTER_OTLP_ENDPOINT"]; v == nil || *v != o.endpoint.String() {
			bad.addf("%s: with make up's endpoint in the environment, OTEL_EXPORTER_OTLP_ENDPOINT is not %s", d.name, o.endpoint)
		}
		_, wiring := checkCompose(t, d, o.full, model)
		for _, p := range wiring {
			bad.addf("%s with the profile on: %s", d.name, p)
		}
	}
	if o.endpoint.Hostname() != collector {
		bad.addf("make up sends the traces to %s, not to the collector service %s", o.endpoint.Host, collector)
	}

	// The collector's configuration, where its command says.
	svc := o.full.Services[collector]
	file, ok := flag(svc.Command, "config")
	if !ok {
		t.Fatalf("%s: no --config=... in its command", collector)
	}
	cfg, cfgFile := mountedYAML(t, o.full, collector, file)
	receivers := map[string]string{"http": o.endpoint.Port(), "grpc": ""}
	for proto, wantPort := range receivers {
		endpoint := cfg.at("receivers", "otlp", "protocols", proto, "endpoint").str()
		host, port, err := hostPort(endpoint)
		switch {
		case err != nil:
			bad.addf("%s: receivers.otlp.protocols.%s.endpoint %q is not host:port", cfgFile, proto, endpoint)
		case host != "0.0.0.0" && host != "":
			bad.addf("%s: the OTLP %s receiver listens on %s only: other containers cannot reach it", cfgFile, proto, host)
		case wantPort != "" && fmt.Sprint(port) != wantPort:
			bad.addf("%s: OTLP/HTTP is received on port %d, the services send to %s", cfgFile, port, o.endpoint.Host)
		}
	}
	traces := cfg.at("service", "pipelines", "traces")
	if !slices.Contains(traces.at("receivers").strings(), "otlp") {
		bad.addf("%s: the traces pipeline does not receive from otlp", cfgFile)
	}
	exporters := traces.at("exporters").strings()
	if len(exporters) == 0 {
		bad.addf("%s: the traces pipeline exports nowhere", cfgFile)
	}
	viewerPorts := thirdPartyImages[traceViewerImage].ports
	for _, id := range exporters {
		kind, _, _ := strings.Cut(id, "/")
		endpoint := cfg.at("exporters", id, "endpoint").str()
		var host string
		var port, want uint32
		var err error
		switch kind {
		case "otlp":
			host, port, err = hostPort(endpoint)
			want = viewerPorts["otlp-grpc"]
		case "otlphttp":
			var u *url.URL
			if u, err = url.Parse(endpoint); err == nil {
				host, port, err = hostPort(u.Host)
			}
			want = viewerPorts["otlp-http"]
		default:
			bad.addf("%s: the traces pipeline exports to %s, which is not OTLP to %s", cfgFile, id, viewer)
			continue
		}
		if err != nil || host != viewer || port != want {
			bad.addf("%s: exporter %s sends to %q, want %s:%d (%s's OTLP)", cfgFile, id, endpoint, viewer, want, traceViewerImage)
		}
	}
	for _, name := range append(traces.at("processors").strings(), exporters...) {
		section := "processors"
		if slices.Contains(exporters, name) {
			section = "exporters"
		}
		if !cfg.at(section).has(name) {
			bad.addf("%s: the traces pipeline names %s, which %s does not define", cfgFile, name, section)
		}
	}
	t.Logf("services → %s → %s (%s) → %s", o.endpoint, collector, cfgFile, strings.Join(exporters, ", "))
	bad.report(t, "traces (profile "+observabilityProfile+")")
}

// scrapeTarget is one service a Prometheus job scrapes.
type scrapeTarget struct {
	job, host string
	port      uint32
	dns       bool // found by DNS (type A): every replica
}

// TestPrometheusScrapesEveryService checks the profile's Prometheus: every
// service that serves /metrics is scraped at its compose port, a scalable
// one through DNS so that each replica is, the collector at its own
// metrics' port, and no job names what compose does not run.
func TestPrometheusScrapesEveryService(t *testing.T) {
	o := loadObservability(t)
	var bad problems
	prom := o.serviceOfImage(t, "prom/prometheus")
	file, ok := flag(o.full.Services[prom].Command, "config.file")
	if !ok {
		t.Fatalf("%s: no --config.file=... in its command", prom)
	}
	cfg, cfgFile := mountedYAML(t, o.full, prom, file)

	var targets []scrapeTarget
	for _, job := range cfg.at("scrape_configs").list() {
		name := job.at("job_name").str()
		if p := job.at("metrics_path").str(); p != "" && p != "/metrics" {
			bad.addf("%s: job %s scrapes %s, the services serve /metrics", cfgFile, name, p)
		}
		for _, sc := range job.at("static_configs").list() {
			for _, addr := range sc.at("targets").strings() {
				host, port, err := hostPort(addr)
				if err != nil {
					bad.addf("%s: job %s: target %q is not host:port", cfgFile, name, addr)
					continue
				}
				targets = append(targets, scrapeTarget{job: name, host: host, port: port})
			}
		}
		for _, sd := range job.at("dns_sd_configs").list() {
			port, err := strconv.ParseUint(sd.at("port").str(), 10, 16)
			if sd.at("type").str() != "A" || err != nil {
				bad.addf("%s: job %s: want dns_sd_configs of type A with a port", cfgFile, name)
				continue
			}
			for _, host := range sd.at("names").strings() {
				targets = append(targets, scrapeTarget{job: name, host: host, port: uint32(port), dns: true})
			}
		}
		if job.has("kubernetes_sd_configs") || job.has("file_sd_configs") || job.has("docker_sd_configs") {
			bad.addf("%s: job %s finds its targets in a way these checks do not read", cfgFile, name)
		}
	}
	for _, tg := range targets {
		if _, ok := o.full.Services[tg.host]; !ok {
			bad.addf("%s: job %s scrapes %s, which is no service of %s", cfgFile, tg.job, tg.host, composeFile)
		}
	}
	scraped := func(host string) []scrapeTarget {
		return slices.DeleteFunc(slices.Clone(targets), func(tg scrapeTarget) bool { return tg.host != host })
	}

	for _, d := range deployables(t) {
		if d.name == "market" {
			// The simulator serves no metrics; when it does, scrape it.
			if code, err := d.get("/metrics"); err != nil || code != http.StatusNotFound {
				bad.addf("the market simulator answers GET /metrics with %d (%v): scrape it", code, err)
			}
			continue
		}
		env := map[string]string{}
		for k, v := range o.full.Services[d.name].Environment {
			if v != nil {
				env[k] = *v
			}
		}
		port, _ := strconv.ParseUint(d.port(t, env), 10, 16)
		got := scraped(d.name)
		switch {
		case len(got) != 1:
			bad.addf("%s: %d scrape targets of %s, want one", cfgFile, len(got), d.name)
		case got[0].port != uint32(port):
			bad.addf("%s: job %s scrapes %s on port %d, it listens on %d", cfgFile, got[0].job, d.name, got[0].port, port)
		case d.scalable && !got[0].dns:
			bad.addf("%s: job %s scrapes %s as one target, but it runs replicas: find them by DNS (dns_sd_configs, type A)", cfgFile, got[0].job, d.name)
		}
	}

	// The collector's own metrics, where its configuration serves them.
	collector := o.serviceOfImage(t, "otel/opentelemetry-collector-contrib")
	collFile, _ := flag(o.full.Services[collector].Command, "config")
	coll, collCfg := mountedYAML(t, o.full, collector, collFile)
	var metricsPorts []uint32
	for _, r := range coll.at("service", "telemetry", "metrics", "readers").list() {
		p := r.at("pull", "exporter", "prometheus")
		if port, err := strconv.ParseUint(p.at("port").str(), 10, 16); err == nil && p.at("host").str() == "0.0.0.0" {
			metricsPorts = append(metricsPorts, uint32(port))
		}
	}
	got := scraped(collector)
	switch {
	case len(metricsPorts) != 1:
		bad.addf("%s: want one Prometheus reader of its own metrics on 0.0.0.0 (service.telemetry.metrics.readers)", collCfg)
	case len(got) != 1 || got[0].port != metricsPorts[0]:
		bad.addf("%s: want one target %s:%d (the collector's own metrics), got %v", cfgFile, collector, metricsPorts[0], got)
	}
	slices.SortFunc(targets, func(a, b scrapeTarget) int { return strings.Compare(a.job, b.job) })
	var summary []string
	for _, tg := range targets {
		how := "static"
		if tg.dns {
			how = "DNS A"
		}
		summary = append(summary, fmt.Sprintf("%s=%s:%d (%s)", tg.job, tg.host, tg.port, how))
	}
	t.Logf("scraped: %s", strings.Join(summary, ", "))
	bad.report(t, "Prometheus (profile "+observabilityProfile+")")
}

// TestGrafanaProvisioning checks the profile's Grafana: its data sources
// name the profile's Prometheus and trace viewer at the ports they serve,
// its dashboard provider reads the directory where compose mounts the
// dashboard, which is observability/grafana/dashboards/comanda.json, also
// the home dashboard, and the admin's password is a required variable.
func TestGrafanaProvisioning(t *testing.T) {
	o := loadObservability(t)
	var bad problems
	grafana := o.serviceOfImage(t, "grafana/grafana")
	prom := o.serviceOfImage(t, "prom/prometheus")
	viewer := o.serviceOfImage(t, traceViewerImage)
	const provisioning = "/etc/grafana/provisioning/"

	var datasourceFiles, providerFiles []string
	for _, c := range o.full.Services[grafana].Configs {
		switch {
		case strings.HasPrefix(c.Target, provisioning+"datasources/"):
			datasourceFiles = append(datasourceFiles, c.Target)
		case strings.HasPrefix(c.Target, provisioning+"dashboards/"):
			providerFiles = append(providerFiles, c.Target)
		}
	}
	if len(datasourceFiles) != 1 || len(providerFiles) != 1 {
		t.Fatalf("%s: want one data source file and one dashboard provider file mounted under %s, got %v and %v", grafana, provisioning, datasourceFiles, providerFiles)
	}

	// The data sources.
	promPort := thirdPartyImages["prom/prometheus"].ports["http"]
	if addr, ok := flag(o.full.Services[prom].Command, "web.listen-address"); ok {
		_, p, err := hostPort(addr)
		if err != nil {
			t.Fatalf("%s: --web.listen-address=%s is not host:port", prom, addr)
		}
		promPort = p
	}
	want := map[string]string{
		"prometheus": fmt.Sprintf("http://%s:%d", prom, promPort),
		"jaeger":     fmt.Sprintf("http://%s:%d", viewer, thirdPartyImages[traceViewerImage].ports["query"]),
	}
	ds, dsFile := mountedYAML(t, o.full, grafana, datasourceFiles[0])
	seen := map[string]bool{}
	for _, d := range ds.at("datasources").list() {
		typ, u := d.at("type").str(), strings.TrimSuffix(d.at("url").str(), "/")
		w, known := want[typ]
		switch {
		case !known:
			bad.addf("%s: data source %s of type %s, which these checks do not know", dsFile, d.at("name").str(), typ)
		case u != w:
			bad.addf("%s: the %s data source is %s, the profile serves it at %s", dsFile, typ, u, w)
		}
		seen[typ] = true
	}
	for typ := range want {
		if !seen[typ] {
			bad.addf("%s: no %s data source", dsFile, typ)
		}
	}

	// The dashboard: mounted where the provider reads it, from the file
	// infra/README.md and docs/observability.md name.
	const dashboard = "observability/grafana/dashboards/comanda.json"
	var dashTarget string
	for _, c := range o.full.Services[grafana].Configs {
		if f, _ := mounted(t, o.full, grafana, c.Target); f == dashboard {
			dashTarget = c.Target
		}
	}
	prov, provFile := mountedYAML(t, o.full, grafana, providerFiles[0])
	providers := prov.at("providers").list()
	switch {
	case dashTarget == "":
		bad.addf("%s does not mount %s", grafana, dashboard)
	case len(providers) != 1 || providers[0].at("type").str() != "file" || providers[0].at("options", "path").str() != path.Dir(dashTarget):
		bad.addf("%s: want one file provider reading %s, where compose mounts %s", provFile, path.Dir(dashTarget), dashboard)
	}
	env := o.full.Services[grafana].Environment
	if home := env["GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH"]; dashTarget != "" && (home == nil || *home != dashTarget) {
		bad.addf("%s: the home dashboard is not %s", grafana, dashTarget)
	}
	var dash struct {
		UID string `json:"uid"`
	}
	if err := json.Unmarshal([]byte(read(t, dashboard)), &dash); err != nil || dash.UID != "comanda" {
		bad.addf("%s: uid %q (%v), want comanda", dashboard, dash.UID, err)
	}

	// The admin: a password compose requires; anonymous visitors view only.
	raw := rawEnvironment(t, rawCompose(t), grafana)
	if !requiredInterpolationsOnly(raw["GF_SECURITY_ADMIN_PASSWORD"]) {
		bad.addf("%s: GF_SECURITY_ADMIN_PASSWORD = %q: want a required variable, ${VAR:?message}", grafana, raw["GF_SECURITY_ADMIN_PASSWORD"])
	}
	if role := env["GF_AUTH_ANONYMOUS_ORG_ROLE"]; env["GF_AUTH_ANONYMOUS_ENABLED"] != nil && (role == nil || *role != "Viewer") {
		bad.addf("%s: anonymous access is on with a role other than Viewer", grafana)
	}
	bad.report(t, "Grafana (profile "+observabilityProfile+")")
}
