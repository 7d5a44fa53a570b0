package deploycheck

import (
	"net/url"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v4"
)

// TestTracing checks the traces' way out in both shapes: every service's
// container gets OTEL_EXPORTER_OTLP_ENDPOINT, where a collector listens
// (its sidecar's OTLP receiver on Fargate, the single host's collector
// there) that sends the spans to X-Ray, as a role allowed to; and
// tracing = false takes the endpoint, the trace collectors and the
// permission away but leaves the kitchen's stream-lag collector.
func TestTracing(t *testing.T) {
	var bad problems
	locals := tfLocals(t, "infra/otel.tf")
	endpoint, err := url.Parse(strings.Trim(locals["otlp_endpoint"], `"`))
	if err != nil || endpoint.Scheme != "http" || endpoint.Host == "" {
		t.Fatalf("local.otlp_endpoint = %s: want an http://host:port URL (%v)", locals["otlp_endpoint"], err)
	}

	// The templates: the endpoint in the service's container, and a
	// collector beside it.
	tf := readTerraform(t)
	for _, d := range deployables(t) {
		if !d.ecs {
			continue
		}
		defs, _, err := renderTaskdef(t, d.name)
		if err != nil {
			bad.addf("%v", err)
			continue
		}
		var collector *containerDefinition
		for i, c := range defs {
			if c.HealthCheck == nil || len(c.HealthCheck.Command) == 0 {
				bad.addf("%s: container %s has no health check", taskdefPath(d.name), c.Name)
			}
			switch c.Name {
			case d.name:
				i := slices.IndexFunc(c.Environment, func(e struct {
					Name  string `json:"name"`
					Value string `json:"value"`
				}) bool {
					return e.Name == "OTEL_EXPORTER_OTLP_ENDPOINT"
				})
				if i < 0 || c.Environment[i].Value != "${otlp_endpoint}" {
					bad.addf("%s: %s does not get OTEL_EXPORTER_OTLP_ENDPOINT = ${otlp_endpoint}", taskdefPath(d.name), d.name)
				}
			case "collector":
				collector = &defs[i]
			}
		}
		switch {
		case collector == nil:
			bad.addf("%s: no collector container beside %s", taskdefPath(d.name), d.name)
		case collector.Essential == nil || *collector.Essential || collector.Image != "${collector_image}" ||
			len(collector.Secrets) != 1 || collector.Secrets[0].Name != "AOT_CONFIG_CONTENT" || collector.Secrets[0].ValueFrom != "${collector_config_arn}":
			bad.addf("%s: the collector must be non-essential, run ${collector_image} and read its configuration from ${collector_config_arn}", taskdefPath(d.name))
		}
		if !slices.Contains(tf.appVars[d.name], "collector_config_arn") {
			bad.addf("local.taskdef_app_vars[%q] does not pass collector_config_arn", d.name)
		}
	}

	// The collectors' configurations receive OTLP/HTTP on the endpoint and
	// export to X-Ray.
	for file, vars := range map[string]map[string]string{
		"infra/otel/traces-collector.yaml.tftpl":  {"${region}": "eu-west-1"},
		"infra/otel/kitchen-collector.yaml.tftpl": {"${region}": "eu-west-1", "${port}": "3001", "${source_metric}": "m", "${log_group}": "/g"},
	} {
		src := read(t, file)
		for k, v := range vars {
			src = strings.ReplaceAll(src, k, v)
		}
		var doc any
		if err := yaml.Unmarshal([]byte(src), &doc); err != nil {
			bad.addf("%s does not render to YAML: %v", file, err)
			continue
		}
		cfg := yml{doc}
		if got := cfg.at("receivers", "otlp", "protocols", "http", "endpoint").str(); got != endpoint.Host {
			bad.addf("%s receives OTLP/HTTP on %q, the services send to %s", file, got, endpoint.Host)
		}
		traces := cfg.at("service", "pipelines", "traces")
		if !slices.Contains(traces.at("receivers").strings(), "otlp") || !slices.Contains(traces.at("exporters").strings(), "awsxray") ||
			cfg.at("exporters", "awsxray", "region").str() != "eu-west-1" {
			bad.addf("%s: want a traces pipeline from otlp to awsxray, in the stack's region", file)
		}
		// The containers' health check (/healthcheck) asks this extension.
		if !slices.Contains(cfg.at("service", "extensions").strings(), "health_check") {
			bad.addf("%s does not serve the health_check extension the containers' health check asks", file)
		}
	}

	// X-Ray permissions for the roles the collectors run as.
	doc := resource(t, "infra/otel.tf", "data", "aws_iam_policy_document", "xray")
	st, _ := blocks(doc, `statement`)
	if len(st) != 1 || entries(st[0])["actions"] != `["xray:PutTraceSegments", "xray:PutTelemetryRecords"]` {
		bad.addf("data.aws_iam_policy_document.xray: want xray:PutTraceSegments and xray:PutTelemetryRecords")
	}
	if p := entries(resource(t, "infra/otel.tf", "resource", "aws_iam_role_policy", "xray")); p["for_each"] != "local.xray_roles" {
		bad.addf("aws_iam_role_policy.xray: want one per role of local.xray_roles")
	}
	roles := locals["xray_roles"]
	for _, want := range []string{"var.tracing ?", "aws_iam_role.task", `aws_iam_role.host_task : name => role.id if name == "collector"`} {
		if !strings.Contains(roles, want) {
			bad.addf("local.xray_roles: want %s (every task's role on Fargate, the collector's on the single host, none without tracing)", want)
		}
	}
	coll := entries(resource(t, "infra/single_host_collector.tf", "resource", "aws_ecs_task_definition", "host_collector"))
	if coll["task_role_arn"] != `aws_iam_role.host_task["collector"].arn` || !strings.Contains(coll["count"], "var.tracing") {
		bad.addf("aws_ecs_task_definition.host_collector: want it only with tracing, as the role local.xray_roles names")
	}
	if !strings.Contains(tfLocals(t, "infra/single_host_stores.tf")["host_store_secrets"], "AOT_CONFIG_CONTENT = aws_ssm_parameter.traces_collector_config[0].arn") {
		bad.addf("the single host's collector does not read the traces configuration")
	}

	// tracing = false on Fargate: only the service's container, and the
	// kitchen's collector, without the endpoint.
	defs := entries(resource(t, "infra/ecs.tf", "resource", "aws_ecs_task_definition", "app"))["container_definitions"]
	for _, want := range []string{"var.tracing ? templatefile(", `e.name != "OTEL_EXPORTER_OTLP_ENDPOINT"`, `if c.name == each.key || each.key == "kitchen-app"`} {
		if !strings.Contains(defs, want) {
			bad.addf("aws_ecs_task_definition.app's containers with tracing off: want %s", want)
		}
	}
	vars := tfVariableDefaults(t)
	if vars["tracing"] != "true" {
		bad.addf("var.tracing defaults to %q, want true", vars["tracing"])
	}
	bad.report(t, "infra (tracing)")
}
