package deploycheck

import (
	"maps"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"go.yaml.in/yaml/v4"

	"github.com/comanda-dev/comanda/internal/config"
	"github.com/comanda-dev/comanda/internal/events"
	"github.com/comanda-dev/comanda/internal/httpx"
	"github.com/comanda-dev/comanda/internal/stream"
)

// terraform is what the checks read from infra/.
type terraform struct {
	// apps are the keys of local.apps, with their port and whether their
	// tasks elect a leader (a fixed count, given by counts).
	apps     []string
	appPorts map[string]string
	elected  map[string]bool
	counts   map[string][3]string // desired_count, min_count, max_count as written
	// appSecrets are the variables of local.app_secrets, per app.
	appSecrets map[string][]string
	// commonVars and appVars are what ecs.tf passes to the task definition
	// templates (besides <secret>_arn).
	commonVars []string
	appVars    map[string][]string
}

func (tf terraform) taskdefVars(app string) []string {
	vars := slices.Clone(tf.commonVars)
	for _, s := range tf.appSecrets[app] {
		vars = append(vars, strings.ToLower(s)+"_arn")
	}
	return append(vars, tf.appVars[app]...)
}

func readTerraform(t testing.TB) terraform {
	t.Helper()
	tf := terraform{appPorts: map[string]string{}, elected: map[string]bool{}, counts: map[string][3]string{}, appSecrets: map[string][]string{}, appVars: map[string][]string{}}
	locals := map[string]string{}
	for _, file := range []string{"infra/locals.tf", "infra/secrets.tf", "infra/ecs.tf"} {
		bodies, _ := blocks(read(t, file), `locals`)
		for _, body := range bodies {
			for k, v := range entries(body) {
				locals[k] = v
			}
		}
	}
	for app, body := range entries(object(locals["apps"])) {
		tf.apps = append(tf.apps, app)
		e := entries(object(body))
		tf.appPorts[app] = e["port"]
		tf.elected[app] = e["elected"] == "true"
		tf.counts[app] = [3]string{e["desired_count"], e["min_count"], e["max_count"]}
	}
	slices.Sort(tf.apps)
	for app, body := range entries(object(locals["app_secrets"])) {
		tf.appSecrets[app] = slices.Sorted(maps.Keys(entries(object(body))))
	}
	if m := regexp.MustCompile(`merge\(\s*\{`).FindStringIndex(locals["taskdef_vars"]); m != nil {
		tf.commonVars = slices.Sorted(maps.Keys(entries(object(locals["taskdef_vars"][m[1]-1:]))))
	}
	for app, body := range entries(object(locals["taskdef_app_vars"])) {
		tf.appVars[app] = slices.Sorted(maps.Keys(entries(object(body))))
	}
	if len(tf.apps) == 0 || len(tf.appSecrets) == 0 || len(tf.commonVars) == 0 {
		t.Fatalf("could not read local.apps, local.app_secrets or local.taskdef_vars from infra/: %+v", tf)
	}
	return tf
}

// TestInfra checks the Terraform against the deployables: one ECS app per
// deployable that runs on ECS, each with its task definition template; the
// warehouse's electing tasks a fixed count of a leader and standbys, never
// autoscaled; rolling deployments; the load balancer's health check on the
// health path.
func TestInfra(t *testing.T) {
	tf := readTerraform(t)
	var bad problems
	var want []string
	vars := map[string]map[string]string{}
	bodies, names := blocks(read(t, "infra/variables.tf"), `variable "([^"]+)"`)
	for i, body := range bodies {
		vars[names[i][0]] = entries(body)
	}
	for _, d := range deployables(t) {
		if d.ecs {
			want = append(want, d.name)
		}
		if !d.ecs {
			continue
		}
		if elected := d.replicas > 0; tf.elected[d.name] != elected {
			bad.addf("local.apps[%q].elected = %v, want %v", d.name, tf.elected[d.name], elected)
		}
		if d.replicas == 0 {
			continue
		}
		c := tf.counts[d.name]
		if c[0] == "" || c[0] != c[1] || c[1] != c[2] {
			bad.addf("local.apps[%q]: desired, min and max counts %v must be one fixed count", d.name, c)
			continue
		}
		v, isVar := strings.CutPrefix(c[0], "var.")
		count := c[0]
		if isVar {
			count = vars[v]["default"]
		}
		if count != strconv.Itoa(d.replicas) {
			bad.addf("local.apps[%q] runs %s tasks by default, want %d (a leader and its standby)", d.name, count, d.replicas)
		}
	}
	if !regexp.MustCompile(`if\s+!app\.elected`).MatchString(read(t, "infra/autoscaling.tf")) {
		bad.addf("infra/autoscaling.tf does not leave the elected apps out of autoscaling")
	}
	slices.Sort(want)
	if !slices.Equal(tf.apps, want) {
		bad.addf("local.apps holds %v, want the deployables that run on ECS: %v", tf.apps, want)
	}
	templates, err := filepath.Glob(filepath.Join(root(t), "infra", "taskdefs", "*.json.tftpl"))
	if err != nil {
		t.Fatal(err)
	}
	var have []string
	for _, p := range templates {
		have = append(have, strings.TrimSuffix(filepath.Base(p), ".json.tftpl"))
	}
	if !slices.Equal(have, want) {
		bad.addf("infra/taskdefs holds templates for %v, want %v", have, want)
	}

	ecs := read(t, "infra/ecs.tf")
	for _, rule := range []string{
		`deployment_maximum_percent\s*=\s*200\b`,
		`deployment_minimum_healthy_percent\s*=\s*100\b`,
		`templatefile\("\$\{path\.module\}/taskdefs/\$\{each\.key\}\.json\.tftpl", local\.taskdef_vars\[each\.key\]\)`,
	} {
		if !regexp.MustCompile(rule).MatchString(ecs) {
			bad.addf("infra/ecs.tf does not match %s", rule)
		}
	}
	tg, _ := blocks(read(t, "infra/alb.tf"), `resource "aws_lb_target_group" "web"`)
	hc := []string{}
	if len(tg) == 1 {
		hc, _ = blocks(tg[0], `health_check`)
	}
	if len(hc) != 1 || entries(hc[0])["path"] != `"`+healthPath+`"` {
		bad.addf("the web target group's health check does not probe %s", healthPath)
	}
	bad.report(t, "infra")
}

// TestTerraformFormat runs `terraform fmt -check` on infra/.
func TestTerraformFormat(t *testing.T) {
	// Terraform is on every machine that runs the test command, and CI
	// installs it in every job that runs Go tests: missing is a failure.
	bin, err := exec.LookPath("terraform")
	if err != nil {
		t.Fatal("terraform is not installed: the test command checks `terraform fmt` (install Terraform 1.11)")
	}
	out, err := run(t, bin, "fmt", "-check", "-recursive", "-diff", "infra")
	if err != nil {
		t.Fatalf("terraform fmt -check -recursive infra: %v\n%s", err, out)
	}
}

// TestAutoscalingMetric checks that kitchen-app's autoscaling tracks a
// metric the code exports: the Prometheus gauge the collector scrapes (with
// the labels that become the CloudWatch dimensions), for the stream and the
// consumer group the kitchen reads orders with.
func TestAutoscalingMetric(t *testing.T) {
	tf := readTerraform(t)
	var bad problems
	vars := map[string]map[string]string{}
	bodies, names := blocks(read(t, "infra/variables.tf"), `variable "([^"]+)"`)
	for i, body := range bodies {
		vars[names[i][0]] = entries(body)
	}
	metric := strings.Trim(vars["stream_lag_metric"]["default"], `"`)
	if !strings.HasPrefix(metric, httpx.MetricPrefix) {
		bad.addf("var.stream_lag_metric = %q lacks the services' metric prefix %s", metric, httpx.MetricPrefix)
	}
	// The collector describes its metric unprefixed; the service's
	// registry adds the prefix (httpx.Registry).
	unprefixed := strings.TrimPrefix(metric, httpx.MetricPrefix)
	prefix := strings.Trim(vars["stream_prefix"]["default"], `"`)

	descs := make(chan *prometheus.Desc, 16)
	stream.NewGroupCollector(nil, nil, "").Describe(descs)
	close(descs)
	found := false
	for d := range descs {
		s := d.String()
		if strings.Contains(s, `fqName: "`+unprefixed+`"`) {
			found = true
			if !strings.Contains(s, "variableLabels: {stream,group}") {
				bad.addf("the gauge %s does not have the labels stream and group: %s", metric, s)
			}
		}
	}
	if !found {
		bad.addf("var.stream_lag_metric = %q, but internal/stream exports no such metric", metric)
	}

	for _, v := range config.Variables(config.Common{}) {
		if v.Name == "STREAM_PREFIX" && v.Default != prefix {
			bad.addf("var.stream_prefix defaults to %q, STREAM_PREFIX to %q", prefix, v.Default)
		}
	}
	policy, _ := blocks(read(t, "infra/autoscaling.tf"), `resource "aws_appautoscaling_policy" "kitchen_stream_lag"`)
	if len(policy) != 1 {
		t.Fatal("infra/autoscaling.tf has no kitchen_stream_lag policy")
	}
	dims := map[string]string{}
	spec, _ := blocks(policy[0], `customized_metric_specification`)
	if len(spec) == 1 {
		d, _ := blocks(spec[0], `dimensions`)
		for _, body := range d {
			e := entries(body)
			dims[strings.Trim(e["name"], `"`)] = strings.Trim(e["value"], `"`)
		}
	}
	if want := events.StreamNames("${var.stream_prefix}").Orders; dims["stream"] != want {
		bad.addf("the policy tracks the stream %q, want %q (events.StreamNames)", dims["stream"], want)
	}
	if dims["group"] != events.GroupKitchen {
		bad.addf("the policy tracks the group %q, but kitchen-app's consumer group is %q (events.GroupKitchen)", dims["group"], events.GroupKitchen)
	}
	// The collector's configuration, rendered as otel.tf does, is YAML that
	// scrapes the kitchen's port and exports StreamLag{stream, group}.
	rendered := strings.NewReplacer("${port}", tf.appPorts["kitchen-app"], "${source_metric}", metric,
		"${log_group}", "/ecs/comanda/metrics", "${region}", "eu-west-1").Replace(read(t, "infra/otel/kitchen-collector.yaml.tftpl"))
	var doc any
	if err := yaml.Unmarshal([]byte(rendered), &doc); err != nil {
		bad.addf("infra/otel/kitchen-collector.yaml.tftpl does not render to YAML: %v", err)
	}
	cfg := yml{doc}
	if got := cfg.at("receivers", "prometheus", "config", "scrape_configs", 0, "static_configs", 0, "targets", 0).str(); got != "127.0.0.1:"+tf.appPorts["kitchen-app"] {
		bad.addf("the collector scrapes %q, not kitchen-app's port %s", got, tf.appPorts["kitchen-app"])
	}
	emf := cfg.at("exporters", "awsemf")
	if emf.at("namespace").str() != "Comanda" || emf.at("metric_declarations", 0, "dimensions", 0).str() != "[stream group]" ||
		cfg.at("processors", "metricstransform/lag", "transforms", 0, "new_name").str() != "StreamLag" {
		bad.addf("the collector does not export Comanda/StreamLag with dimensions stream and group")
	}
	if !slices.Contains(cfg.at("service", "pipelines", "metrics", "exporters").strings(), "awsemf") {
		bad.addf("the collector's metrics pipeline does not export to awsemf")
	}
	bad.report(t, "autoscaling")
}
