package deploycheck

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// The single host (infra/single_host*.tf): the services from the same task
// definition templates as on Fargate, the stores and the collector beside
// them, all within the instance's memory.

// instanceMemory is the memory (MiB) of the instance types the single host
// may run on.
var instanceMemory = map[string]int{"t2.micro": 1024, "t3.micro": 1024, "t3a.micro": 1024}

// hostStores are the single host's tasks besides the services.
var hostStores = []string{"redis", "postgres", "mongo", "collector"}

// hostTask returns the entries of a single-host task definition and of its
// one container (jsonencode([{ ... }])).
func hostTask(t testing.TB, file, name string) (task, container map[string]string) {
	t.Helper()
	body := resource(t, file, "resource", "aws_ecs_task_definition", name)
	if body == "" {
		return nil, nil
	}
	task = entries(body)
	defs := task["container_definitions"]
	open := strings.Index(defs, "jsonencode([")
	if open < 0 {
		return task, nil
	}
	brace := strings.IndexByte(defs[open:], '{')
	if brace < 0 {
		return task, nil
	}
	return task, entries(object(defs[open+brace:]))
}

// hostMemory reads local.host_memory.
func hostMemory(t testing.TB) map[string]int {
	t.Helper()
	out := map[string]int{}
	for k, v := range entries(object(tfLocals(t, "infra/single_host.tf")["host_memory"])) {
		n, err := strconv.Atoi(v)
		if err != nil {
			t.Fatalf("local.host_memory[%q] = %q: not a number", k, v)
		}
		out[k] = n
	}
	return out
}

// TestSingleHostMemory checks that the containers' hard limits fit the
// instance: their sum within what ECS offers the tasks (the instance's
// memory, less the kernel's share and ECS_RESERVED_MEMORY, which the user
// data sets from the same local), a limit for every task, the comment's
// arithmetic right, and only 1 GiB instance types allowed.
func TestSingleHostMemory(t *testing.T) {
	var bad problems
	mem := hostMemory(t)
	tf := readTerraform(t)
	budget := mem["instance"] - mem["kernel"] - mem["reserved"]
	if mem["instance"] == 0 || mem["reserved"] == 0 || mem["kernel"] == 0 {
		t.Fatalf("local.host_memory lacks instance, kernel or reserved: %v", mem)
	}
	var containers []string
	sum := 0
	for name, n := range mem {
		if name == "instance" || name == "kernel" || name == "reserved" {
			continue
		}
		containers = append(containers, name)
		sum += n
		if n <= 0 {
			bad.addf("local.host_memory[%q] = %d", name, n)
		}
	}
	slices.Sort(containers)
	want := slices.Sorted(slices.Values(append(slices.Clone(tf.apps), hostStores...)))
	if !slices.Equal(containers, want) {
		bad.addf("local.host_memory limits %v, want one per service and store: %v", containers, want)
	}
	if sum > budget {
		bad.addf("the containers' limits add up to %d MiB, more than the %d MiB ECS offers the tasks (%d - %d kernel - %d reserved)", sum, budget, mem["instance"], mem["kernel"], mem["reserved"])
	}
	src := read(t, "infra/single_host.tf")
	for label, n := range map[string]int{"offered to the tasks, at least": budget, "the containers' limits below add up to": sum} {
		m := regexp.MustCompile(`#\s+(\d+)\s+` + regexp.QuoteMeta(label)).FindStringSubmatch(src)
		if m == nil || m[1] != strconv.Itoa(n) {
			bad.addf("the comment over local.host_memory says %v for %q, the figures make %d", m, label, n)
		}
	}
	for _, c := range containers {
		if !strings.Contains(src, strconv.Itoa(mem[c])) || !regexp.MustCompile(`\b`+regexp.QuoteMeta(c)+` `+strconv.Itoa(mem[c])+`\b`).MatchString(src) {
			bad.addf("the comment over local.host_memory does not list %s %d", c, mem[c])
		}
	}

	// ECS_RESERVED_MEMORY is the reserved figure.
	inst := entries(resource(t, "infra/single_host.tf", "resource", "aws_instance", "host"))
	if !strings.Contains(inst["user_data"], "reserved_memory = local.host_memory.reserved") ||
		!strings.Contains(read(t, "infra/single_host/user-data.sh.tftpl"), "ECS_RESERVED_MEMORY=${reserved_memory}") {
		bad.addf("the instance's user data does not set ECS_RESERVED_MEMORY to local.host_memory.reserved")
	}
	if inst["instance_type"] != "var.single_host_instance_type" {
		bad.addf("aws_instance.host: instance_type = %s, want var.single_host_instance_type", inst["instance_type"])
	}
	// The instance types allowed all have the memory the limits are for.
	vb, _ := blocks(read(t, "infra/variables.tf"), `variable "single_host_instance_type"`)
	if len(vb) != 1 {
		t.Fatal(`infra/variables.tf has no variable "single_host_instance_type"`)
	}
	m := regexp.MustCompile(`contains\(\[([^\]]*)\], var\.single_host_instance_type\)`).FindStringSubmatch(vb[0])
	if m == nil {
		bad.addf("var.single_host_instance_type is not validated against a list of types")
	} else {
		var allowed []string
		for _, s := range strings.Split(m[1], ",") {
			allowed = append(allowed, strings.Trim(strings.TrimSpace(s), `"`))
		}
		for _, typ := range allowed {
			if got, ok := instanceMemory[typ]; !ok || got != mem["instance"] {
				bad.addf("var.single_host_instance_type allows %s (%d MiB), but the limits are for %d MiB", typ, got, mem["instance"])
			}
		}
		if d := strings.Trim(entries(vb[0])["default"], `"`); !slices.Contains(allowed, d) {
			bad.addf("var.single_host_instance_type defaults to %q, which its validation refuses", d)
		}
	}

	// Every task and container has its limit.
	host := entries(resource(t, "infra/single_host.tf", "resource", "aws_ecs_task_definition", "host_app"))
	if host["memory"] != "local.host_memory[each.key]" || !strings.Contains(host["container_definitions"], "memory       = local.host_memory[each.key]") {
		bad.addf("aws_ecs_task_definition.host_app: want the task's and the container's memory = local.host_memory[each.key]")
	}
	for _, s := range hostStores {
		task, c := hostStoreTask(t, s)
		want := "local.host_memory." + s
		if task["memory"] != want || c["memory"] != want {
			bad.addf("the single host's %s: task memory %q, container memory %q, want %s for both", s, task["memory"], c["memory"], want)
		}
	}
	t.Logf("containers %d MiB of the %d MiB offered to the tasks (instance %d)", sum, budget, mem["instance"])
	bad.report(t, "infra (single host memory)")
}

// hostStoreTask returns the task definition of one of the single host's
// stores (or its collector) and its container.
func hostStoreTask(t testing.TB, store string) (task, container map[string]string) {
	t.Helper()
	file := "infra/single_host_stores.tf"
	if store == "collector" {
		file = "infra/single_host_collector.tf"
	}
	task, container = hostTask(t, file, "host_"+store)
	if task == nil || container == nil {
		t.Fatalf("%s: no aws_ecs_task_definition.host_%s with one container", file, store)
	}
	return task, container
}

// TestSingleHostServices checks that the single host runs the services from
// the same templates as Fargate, under the same families and names (the
// deploy workflow's), keeping the service's own container only; and that
// the wiring rule holds for what it registers, with tracing on and off.
func TestSingleHostServices(t *testing.T) {
	var bad problems
	task := entries(resource(t, "infra/single_host.tf", "resource", "aws_ecs_task_definition", "host_app"))
	for key, want := range map[string]string{
		"for_each":                 "local.single_host ? local.apps : {}",
		"family":                   `"${var.name}-${each.key}"`,
		"requires_compatibilities": `["EC2"]`,
		"network_mode":             `"host"`,
		"execution_role_arn":       "aws_iam_role.execution[each.key].arn",
		"task_role_arn":            "aws_iam_role.task[each.key].arn",
	} {
		if task[key] != want {
			bad.addf("aws_ecs_task_definition.host_app: %s = %s, want %s", key, task[key], want)
		}
	}
	defs := task["container_definitions"]
	for _, want := range []string{
		`jsondecode(templatefile("${path.module}/taskdefs/${each.key}.json.tftpl", local.taskdef_vars[each.key]))`,
		`if c.name == each.key`,
		`environment  = [for e in c.environment : e if var.tracing || e.name != "OTEL_EXPORTER_OTLP_ENDPOINT"]`,
	} {
		if !strings.Contains(defs, want) {
			bad.addf("aws_ecs_task_definition.host_app's containers do not hold %s", want)
		}
	}
	svc := entries(resource(t, "infra/single_host.tf", "resource", "aws_ecs_service", "host_app"))
	if svc["name"] != "each.key" || svc["launch_type"] != `"EC2"` || svc["deployment_maximum_percent"] != "100" || svc["deployment_minimum_healthy_percent"] != "0" {
		bad.addf("aws_ecs_service.host_app: want one EC2 service per app named after it, stopping the old task before starting the new (its port is the host's): %v", svc)
	}

	// The services reach each other and the stores on the loopback
	// interface, with values of the single host's own.
	locals := tfLocals(t, "infra/locals.tf", "infra/ecs.tf", "infra/otel.tf")
	if !strings.Contains(locals["service_urls"], `: "http://127.0.0.1:${app.port}"`) {
		bad.addf("local.service_urls: want http://127.0.0.1:<port> on the single host")
	}
	if !strings.Contains(locals["taskdef_vars"], "redis_wait_replicas = local.managed &&") {
		bad.addf("local.taskdef_vars: REDIS_WAIT_REPLICAS must be 0 on the single host (its Redis has no replica)")
	}
	for name, want := range map[string]string{"redis_url": "@127.0.0.1:6379/", "database_url": "@127.0.0.1:5432/"} {
		v := entries(resource(t, "infra/secrets.tf", "resource", "aws_secretsmanager_secret_version", name))["secret_string"]
		if !strings.Contains(v, want) {
			bad.addf("aws_secretsmanager_secret_version.%s has no single-host value on %s", name, want)
		}
	}
	mongoURL := entries(resource(t, "infra/single_host_stores.tf", "resource", "aws_secretsmanager_secret_version", "host_mongo_url"))
	if !strings.Contains(mongoURL["secret_id"], `aws_secretsmanager_secret.this["inventory-app/mongo-url"]`) ||
		!strings.Contains(mongoURL["secret_string"], "@127.0.0.1:27017/?replicaSet=rs0&") {
		bad.addf("the single host's MONGO_URL is not inventory-app's mongo-url secret, on 127.0.0.1:27017 with replicaSet=rs0")
	}

	// What the single host registers, as ECS gets it: the service's own
	// container, without the OTLP endpoint when tracing is off.
	tf := readTerraform(t)
	for _, d := range deployables(t) {
		if !d.ecs {
			continue
		}
		containers, _, err := renderTaskdef(t, d.name)
		if err != nil {
			bad.addf("%v", err)
			continue
		}
		for _, tracing := range []bool{true, false} {
			var kept []containerDefinition
			for _, c := range containers {
				if c.Name == d.name {
					kept = append(kept, c)
				}
			}
			if len(kept) != 1 {
				bad.addf("%s: the single host keeps %d containers, want the service's own", d.name, len(kept))
				continue
			}
			env := map[string]string{}
			for _, e := range kept[0].Environment {
				if tracing || e.Name != "OTEL_EXPORTER_OTLP_ENDPOINT" {
					env[e.Name] = e.Value
				}
			}
			secrets := map[string]string{}
			for _, s := range kept[0].Secrets {
				secrets[s.Name] = s.ValueFrom
			}
			_, wiring := checkWiring(d, place{name: "ECS", env: env, secrets: secrets})
			for _, p := range wiring {
				bad.addf("%s on the single host (tracing %v): %s", d.name, tracing, p)
			}
			if want := slices.Sorted(slices.Values(tf.appSecrets[d.name])); !slices.Equal(sortedKeys(secrets), want) {
				bad.addf("%s on the single host gets the secrets %v, want its own: %v", d.name, sortedKeys(secrets), want)
			}
		}
	}
	bad.report(t, "infra (single host services)")
}

// TestSingleHostStores checks the single host's Redis, PostgreSQL, MongoDB
// and collector: each on the loopback interface with its health check,
// secrets from Secrets Manager, Redis with its append-only file, the same
// users as ElastiCache and no default user, PostgreSQL and MongoDB running
// the managed shape's set-up scripts, MongoDB a replica set it initiates.
func TestSingleHostStores(t *testing.T) {
	var bad problems
	locals := tfLocals(t, "infra/single_host_stores.tf")
	mem := hostMemory(t)
	for _, s := range hostStores {
		task, c := hostStoreTask(t, s)
		if task["network_mode"] != `"host"` || task["requires_compatibilities"] != `["EC2"]` {
			bad.addf("%s: want an EC2 task in host network mode", s)
		}
		if c["name"] != `"`+s+`"` || c["essential"] != "true" {
			bad.addf("%s: its container must be named %s and essential", s, s)
		}
		if hc := c["healthCheck"]; !strings.Contains(hc, "command") {
			bad.addf("%s: the container has no health check", s)
		}
		if !strings.HasPrefix(c["secrets"], `[for name, arn in local.host_store_secrets["`+s+`"]`) {
			bad.addf("%s: its secrets must come from local.host_store_secrets[%q] (what its execution role may read)", s, s)
		}
		if env := c["environment"]; secretName.MatchString(env) && regexp.MustCompile(`name = "[A-Z_]*(PASSWORD|SECRET|TOKEN|_KEY)"`).MatchString(env) {
			bad.addf("%s: a secret is in environment: %s", s, env)
		}
		if !strings.Contains(c["logConfiguration"], `logDriver = "awslogs"`) {
			bad.addf("%s: logs do not go to CloudWatch", s)
		}
	}

	_, redis := hostStoreTask(t, "redis")
	cmd := redis["command"]
	for _, want := range []string{"--appendonly yes", "--appendfsync always", "--maxmemory-policy noeviction", "--bind 127.0.0.1", "--aclfile /run/redis/users.acl"} {
		if !strings.Contains(cmd, want) {
			bad.addf("redis: the server does not run with %s", want)
		}
	}
	if !strings.Contains(cmd, "--maxmemory ${local.host_redis_maxmemory_mb}mb") {
		bad.addf("redis: --maxmemory is not local.host_redis_maxmemory_mb")
	} else if n, err := strconv.Atoi(locals["host_redis_maxmemory_mb"]); err != nil || n >= mem["redis"] {
		bad.addf("redis: maxmemory %s MB must be a number below its container's limit, %d MiB", locals["host_redis_maxmemory_mb"], mem["redis"])
	}
	acl := locals["host_redis_acl"]
	for _, want := range []string{`"user default off resetchannels -@all"`, `for app, access in local.redis_access : "user ${app} reset ${access} `, `>${random_password.redis_user[app].result}`} {
		if !strings.Contains(acl, want) {
			bad.addf("local.host_redis_acl: want %s (ElastiCache's users, the services' passwords, no default user)", want)
		}
	}

	_, pg := hostStoreTask(t, "postgres")
	if !strings.Contains(pg["command"], "listen_addresses=127.0.0.1") || !strings.Contains(pg["environment"], `templatefile("${path.module}/bootstrap/postgres.sql.tftpl"`) ||
		!strings.Contains(pg["command"], `\"$BOOTSTRAP_SQL\" | PGPASSWORD=\"$POSTGRES_PASSWORD\" psql`) {
		bad.addf("postgres: want the server on 127.0.0.1 only and bootstrap/postgres.sql.tftpl run at start")
	}

	_, mongo := hostStoreTask(t, "mongo")
	for _, want := range []string{"--replSet rs0", "--keyFile", "--bind_ip 127.0.0.1", `--eval \"$SETUP_JS\"`, `--eval \"$BOOTSTRAP_JS\"`} {
		if !strings.Contains(mongo["command"], want) {
			bad.addf("mongo: the container does not run %s", want)
		}
	}
	if !strings.Contains(mongo["environment"], `templatefile("${path.module}/bootstrap/documentdb.js.tftpl"`) {
		bad.addf("mongo: want bootstrap/documentdb.js.tftpl (inventory-app's user) run at start")
	}
	// A heredoc, which the reader does not follow: its text in the file.
	if setup := read(t, "infra/single_host_stores.tf"); !regexp.MustCompile(`host_mongo_setup_js = <<-EOT\n\s*if \(!db\.hello\(\)\.setName\) \{\n\s*rs\.initiate\(\{ _id: 'rs0', members: \[\{ _id: 0, host: '127\.0\.0\.1:27017' \}\] \}\);`).MatchString(setup) {
		bad.addf("local.host_mongo_setup_js does not initiate the replica set rs0 on 127.0.0.1:27017")
	}
	bad.report(t, "infra (single host stores)")
}
