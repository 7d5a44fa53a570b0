package deploycheck

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The two shapes of infra/ (var.shape): "managed" (Fargate, a load
// balancer, ElastiCache, RDS, DocumentDB) and "single-host" (one EC2
// instance running the services and the stores as containers). Each
// resource belongs to one of them, or to both, and says so with its count
// or for_each.

// tfBlock is one resource or data block of infra/.
type tfBlock struct {
	file, kind, typ, name, body string
}

func (b tfBlock) String() string { return b.file + ": " + b.kind + "." + b.typ + "." + b.name }

// tfBlocks returns every resource and data block of infra/*.tf.
func tfBlocks(t testing.TB) []tfBlock {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(root(t), "infra", "*.tf"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no Terraform files in infra/ (%v)", err)
	}
	var out []tfBlock
	for _, f := range files {
		rel := "infra/" + filepath.Base(f)
		bodies, groups := blocks(read(t, rel), `(resource|data) "([a-z0-9_]+)" "([a-z0-9_]+)"`)
		for i, body := range bodies {
			out = append(out, tfBlock{file: rel, kind: groups[i][0], typ: groups[i][1], name: groups[i][2], body: body})
		}
	}
	return out
}

// multiplicity returns a block's count or for_each expression.
func (b tfBlock) multiplicity() string {
	e := entries(b.body)
	if c, ok := e["count"]; ok {
		return c
	}
	return e["for_each"]
}

// managedOnly reports whether a resource type exists only in the managed
// shape: the load balancer, the managed data stores, autoscaling, NAT, Cloud
// Map, the tasks' security groups, and the Fargate tasks and services.
func managedOnly(b tfBlock) bool {
	if strings.HasPrefix(b.file, "infra/single_host") || b.kind != "resource" {
		return false
	}
	for _, prefix := range []string{"aws_lb", "aws_elasticache_", "aws_db_", "aws_docdb_", "aws_appautoscaling_", "aws_nat_gateway", "aws_eip", "aws_service_discovery_", "aws_security_group", "aws_vpc_security_group_", "aws_ecs_task_definition", "aws_ecs_service"} {
		if strings.HasPrefix(b.typ, prefix) {
			return true
		}
	}
	return b.typ == "aws_route" && b.name == "private_nat"
}

// managedGuard matches a count or for_each that is empty in the single-host
// shape: local.managed itself, or a local that is empty without it (each
// checked below).
var managedGuard = regexp.MustCompile(`\blocal\.(managed|managed_apps|documentdb|nat_count|scaled_apps|cpu_scaled)\b`)

// TestShapes checks the shape variable and that every resource belongs to
// its shape: the managed-only ones are empty in the single-host shape (and
// the locals that make them so are), the single host's are empty in the
// managed shape, and the certificate is required by the managed shape only.
func TestShapes(t *testing.T) {
	var bad problems
	bodies, names := blocks(read(t, "infra/variables.tf"), `variable "([^"]+)"`)
	vars := map[string]string{}
	for i, body := range bodies {
		vars[names[i][0]] = body
	}
	shape, ok := vars["shape"]
	switch {
	case !ok:
		bad.addf(`infra/variables.tf has no variable "shape"`)
	default:
		if d := entries(shape)["default"]; d != `"managed"` {
			bad.addf(`var.shape defaults to %s, want "managed" (the production shape stays the default)`, d)
		}
		v, _ := blocks(shape, `validation`)
		if len(v) != 1 || entries(v[0])["condition"] != `contains(["managed", "single-host"], var.shape)` {
			bad.addf(`var.shape is not validated to "managed" or "single-host"`)
		}
	}
	cert, _ := blocks(vars["certificate_arn"], `validation`)
	if len(cert) != 1 || !strings.HasPrefix(entries(cert[0])["condition"], `var.shape == "single-host" || can(regex(`) {
		bad.addf("var.certificate_arn: want a validation that requires an ACM certificate ARN unless the shape is single-host")
	}

	locals := tfLocals(t, "infra/locals.tf", "infra/network.tf", "infra/autoscaling.tf")
	for name, want := range map[string]string{
		"managed":      `var.shape == "managed"`,
		"single_host":  `var.shape == "single-host"`,
		"managed_apps": `local.managed ? local.apps : {}`,
		"documentdb":   `local.managed && var.mongo_mode == "documentdb"`,
	} {
		if got := locals[name]; got != want {
			bad.addf("local.%s = %s, want %s", name, got, want)
		}
	}
	if !strings.HasPrefix(locals["nat_count"], "local.single_host ? 0 :") {
		bad.addf("local.nat_count = %s: want no NAT gateway on the single host", locals["nat_count"])
	}
	if !strings.Contains(locals["scaled_apps"], "in local.managed_apps") || !strings.Contains(locals["cpu_scaled"], "local.scaled_apps") {
		bad.addf("local.scaled_apps and local.cpu_scaled must come from local.managed_apps: nothing scales on the single host")
	}

	var managed, host int
	for _, b := range tfBlocks(t) {
		m := b.multiplicity()
		switch {
		case managedOnly(b):
			managed++
			if !managedGuard.MatchString(m) {
				bad.addf("%s belongs to the managed shape, but its count or for_each (%q) does not depend on it (local.managed ...)", b, m)
			}
		case strings.HasPrefix(b.file, "infra/single_host"):
			host++
			// A policy document creates nothing.
			if b.typ != "aws_iam_policy_document" && !strings.Contains(m, "local.single_host") {
				bad.addf("%s belongs to the single host, but its count or for_each (%q) does not depend on local.single_host", b, m)
			}
		}
	}
	if managed < 30 || host < 15 {
		bad.addf("read %d managed-only and %d single-host resources: the reader missed some", managed, host)
	}
	bad.report(t, "infra (shapes)")
}

// TestManagedShapeUnchanged checks what the managed shape must keep now that
// its resources have a count: each output reads instance [0] of what has
// one, and the load balancer still serves web.
func TestManagedShapeUnchanged(t *testing.T) {
	var bad problems
	outputs := read(t, "infra/outputs.tf")
	for _, ref := range []string{"aws_lb.this.", "aws_ecs_task_definition.postgres_bootstrap.", "aws_security_group.bootstrap."} {
		if strings.Contains(outputs, ref) {
			bad.addf("infra/outputs.tf reads %s without an instance key: that resource has a count", ref)
		}
	}
	for _, want := range []string{
		`merge(aws_ecs_service.app, aws_ecs_service.host_app)`,
		`merge(aws_ecs_task_definition.app, aws_ecs_task_definition.host_app)`,
	} {
		if !strings.Contains(outputs, want) {
			bad.addf("infra/outputs.tf: the services' names and families must come from both shapes (%s): the deploy workflow reads them", want)
		}
	}
	svc := entries(resource(t, "infra/ecs.tf", "resource", "aws_ecs_service", "app"))
	if svc["for_each"] != "local.managed_apps" || svc["launch_type"] != `"FARGATE"` {
		bad.addf("aws_ecs_service.app: want the Fargate services of local.managed_apps")
	}
	bad.report(t, "infra (managed shape)")
}

// TestShapeChecker feeds the shape checks resources on purpose.
func TestShapeChecker(t *testing.T) {
	for _, tc := range []struct {
		b       tfBlock
		managed bool
		guarded bool
	}{
		{tfBlock{file: "infra/alb.tf", kind: "resource", typ: "aws_lb", body: "\n  count = local.managed ? 1 : 0\n"}, true, true},
		{tfBlock{file: "infra/alb.tf", kind: "resource", typ: "aws_lb_listener", body: "\n  port = 443\n"}, true, false},
		{tfBlock{file: "infra/redis.tf", kind: "resource", typ: "aws_elasticache_user", body: "\n  for_each = local.redis_access\n"}, true, false},
		{tfBlock{file: "infra/single_host.tf", kind: "resource", typ: "aws_security_group", body: "\n  count = local.single_host ? 1 : 0\n"}, false, false},
		{tfBlock{file: "infra/ecr.tf", kind: "resource", typ: "aws_ecr_repository", body: "\n  for_each = local.apps\n"}, false, false},
	} {
		if got := managedOnly(tc.b); got != tc.managed {
			t.Errorf("%s: managedOnly = %v, want %v", tc.b, got, tc.managed)
		}
		if got := managedGuard.MatchString(tc.b.multiplicity()); got != tc.guarded {
			t.Errorf("%s: guarded = %v, want %v", tc.b, got, tc.guarded)
		}
	}
}
