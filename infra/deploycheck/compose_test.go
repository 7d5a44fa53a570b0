package deploycheck

import (
	"context"
	"fmt"
	"maps"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
)

const composeFile = "docker-compose.yaml"

// loadCompose loads docker-compose.yaml as `docker compose` does, with the
// given variables as the only environment (no .env file, no process
// environment).
func loadCompose(t testing.TB, env map[string]string) (*types.Project, error) {
	t.Helper()
	return loader.LoadWithContext(context.Background(), composeDetails(t, env), func(o *loader.Options) {
		o.SetProjectName("comanda", true)
	})
}

func composeDetails(t testing.TB, env map[string]string) types.ConfigDetails {
	return types.ConfigDetails{
		WorkingDir:  root(t),
		ConfigFiles: []types.ConfigFile{{Filename: filepath.Join(root(t), composeFile)}},
		Environment: env,
	}
}

// rawCompose is the compose model as written: anchors merged, nothing
// interpolated.
func rawCompose(t testing.TB) map[string]any {
	t.Helper()
	model, err := loader.LoadModelWithContext(context.Background(), composeDetails(t, nil), func(o *loader.Options) {
		o.SetProjectName("comanda", true)
		o.SkipInterpolation = true
		o.SkipNormalization = true
		o.SkipValidation = true
		o.SkipResolveEnvironment = true
	})
	if err != nil {
		t.Fatalf("reading %s: %v", composeFile, err)
	}
	return model
}

// rawEnvironment is a service's environment as written.
func rawEnvironment(t testing.TB, model map[string]any, service string) map[string]string {
	t.Helper()
	services, _ := model["services"].(map[string]any)
	svc, _ := services[service].(map[string]any)
	out := map[string]string{}
	switch env := svc["environment"].(type) {
	case map[string]any:
		for k, v := range env {
			if v != nil {
				out[k] = fmt.Sprint(v)
			}
		}
	case []any:
		for _, kv := range env {
			k, v, ok := strings.Cut(fmt.Sprint(kv), "=")
			if ok {
				out[k] = v
			}
		}
	}
	return out
}

// requiredVariables are the variables compose refuses to start without.
func requiredVariables(t testing.TB) []string {
	t.Helper()
	var names []string
	for _, in := range interpolations(read(t, composeFile)) {
		if m := required.FindStringSubmatch(in); m != nil {
			names = append(names, m[1])
		}
	}
	slices.Sort(names)
	return slices.Compact(names)
}

// dummyEnvironment fills every required variable with a placeholder that
// passes the services' checks (32+ characters, URL-safe).
func dummyEnvironment(t testing.TB) map[string]string {
	env := map[string]string{}
	for _, name := range requiredVariables(t) {
		env[name] = "dummy" + strings.Repeat("0", 40)
	}
	return env
}

// composeFacts is what the summary table shows of a compose service.
type composeFacts struct {
	ports string
	wired wired
}

func checkCompose(t *testing.T, d deployable, project *types.Project, model map[string]any) (composeFacts, problems) {
	t.Helper()
	var bad problems
	var facts composeFacts
	svc, ok := project.Services[d.name]
	if !ok {
		bad.addf("no service %s", d.name)
		return facts, bad
	}
	if svc.Build == nil || svc.Build.Context != root(t) || svc.Build.Dockerfile != d.dir+"/Dockerfile" {
		bad.addf("build: want context . and dockerfile %s/Dockerfile, got %+v", d.dir, svc.Build)
	}

	env := map[string]string{}
	for k, v := range svc.Environment {
		if v != nil {
			env[k] = *v
		}
	}
	w, wiring := checkWiring(d, place{name: "compose", env: env, raw: rawEnvironment(t, model, d.name)})
	facts.wired = w
	bad = append(bad, wiring...)

	port := d.port(t, env)
	var ports []string
	served := false
	for _, p := range svc.Ports {
		ports = append(ports, fmt.Sprintf("%s:%d", p.Published, p.Target))
		if fmt.Sprint(p.Target) != port {
			continue
		}
		served = true
		switch {
		case d.scalable && p.Published != "":
			bad.addf("port %s is published on host port %s: replicas of a scalable service cannot share it", port, p.Published)
		case !d.scalable && p.Published != port:
			bad.addf("port %s is published on host port %q, want %s as in the design", port, p.Published, port)
		}
	}
	facts.ports = strings.Join(ports, " ")
	if !served {
		bad.addf("no ports entry for the service's port %s", port)
	}
	if d.scalable && svc.ContainerName != "" {
		bad.addf("container_name %q: a scalable service cannot have one", svc.ContainerName)
	}
	if d.replicas > 0 {
		if svc.Deploy == nil || svc.Deploy.Replicas == nil || *svc.Deploy.Replicas != d.replicas {
			bad.addf("deploy.replicas is not %d: the service runs a leader and standbys", d.replicas)
		}
		if _, ok := d.variable(electionVar); !ok {
			bad.addf("%d replicas, but the configuration reads no %s: nothing elects a leader among them", d.replicas, electionVar)
		}
	}
	probe := []string{"CMD", "/healthcheck", port, healthPath}
	if svc.HealthCheck == nil || !slices.Equal([]string(svc.HealthCheck.Test), probe) {
		bad.addf("healthcheck: want test %q", probe)
	}
	return facts, bad
}

// TestComposeStack checks what holds for the stack as a whole: every
// service restarts and has a healthcheck, starts after what it depends on is
// healthy, and the data stores are set up as the services need them.
func TestComposeStack(t *testing.T) {
	project, err := loadCompose(t, dummyEnvironment(t))
	if err != nil {
		t.Fatalf("loading %s: %v", composeFile, err)
	}
	var bad problems
	for _, name := range slices.Sorted(maps.Keys(project.Services)) {
		svc := project.Services[name]
		if svc.Restart != "unless-stopped" {
			bad.addf("%s: restart %q, want unless-stopped", name, svc.Restart)
		}
		if svc.HealthCheck == nil || len(svc.HealthCheck.Test) == 0 || svc.HealthCheck.Disable {
			bad.addf("%s: no healthcheck", name)
		}
		for dep, cond := range svc.DependsOn {
			if cond.Condition != types.ServiceConditionHealthy {
				bad.addf("%s: depends on %s with condition %q, want service_healthy", name, dep, cond.Condition)
			}
		}
	}

	redis := project.Services["redis"]
	if cmd := strings.Join(redis.Command, " "); !strings.Contains(cmd, "--appendonly yes") {
		bad.addf("redis: command %q does not turn on the append-only file", cmd)
	}
	if img := redis.Image; !strings.HasPrefix(img, "redis:7") {
		bad.addf("redis: image %s, want Redis 7", img)
	}

	// One database per owning service, created by the init script.
	init := ""
	for _, c := range project.Configs {
		init += c.Content
	}
	databases := map[string]string{}
	for _, name := range []string{"orders-app", "kitchen-app"} {
		url := project.Services[name].Environment["DATABASE_URL"]
		if url == nil {
			continue // the wiring check reports it
		}
		m := regexp.MustCompile(`@postgres:5432/([a-z_]+)`).FindStringSubmatch(*url)
		if m == nil {
			bad.addf("%s: DATABASE_URL does not point at a database of the postgres service", name)
			continue
		}
		if other, taken := databases[m[1]]; taken {
			bad.addf("%s and %s share the database %s", other, name, m[1])
		}
		databases[m[1]] = name
		if !strings.Contains(init, "CREATE DATABASE "+m[1]+" ") {
			bad.addf("%s: its database %s is not created by the postgres init script", name, m[1])
		}
	}

	// The warehouse's transactions need a replica set.
	mongo := project.Services["mongo"]
	if all := strings.Join(append(slices.Clone(mongo.Entrypoint), mongo.Command...), " "); !strings.Contains(all, "--replSet rs0") {
		bad.addf("mongo: not started as a replica set (--replSet rs0)")
	}
	if hc := mongo.HealthCheck; hc == nil || !strings.Contains(strings.Join(hc.Test, " "), "rs.initiate(") {
		bad.addf("mongo: the healthcheck does not initiate the replica set")
	}
	if url := project.Services["inventory-app"].Environment["MONGO_URL"]; url != nil &&
		!strings.Contains(*url, "replicaSet=rs0") && !strings.Contains(*url, "directConnection=true") {
		bad.addf("inventory-app: MONGO_URL names neither the replica set nor a direct connection")
	}
	// .env.example offers only settings compose reads.
	used := interpolatedNames(read(t, composeFile))
	for name := range envExample(t) {
		if !slices.Contains(used, name) {
			bad.addf(".env.example lists %s, which %s never uses", name, composeFile)
		}
	}
	bad.report(t, composeFile)
}

// TestComposeFailsFastWithoutSecrets proves the stack cannot start on the
// committed files alone: without .env, or with .env.example copied as is,
// compose refuses and names a missing secret.
func TestComposeFailsFastWithoutSecrets(t *testing.T) {
	for name, env := range map[string]map[string]string{
		"no environment":     {},
		".env.example as is": envExample(t),
	} {
		_, err := loadCompose(t, env)
		if err == nil {
			t.Errorf("%s: compose loads; it must refuse without the secrets", name)
			continue
		}
		if !strings.Contains(err.Error(), "required variable") {
			t.Errorf("%s: compose fails, but not for a missing variable: %v", name, err)
		}
	}
	if _, err := loadCompose(t, dummyEnvironment(t)); err != nil {
		t.Errorf("with every required variable set, compose does not load: %v", err)
	}
}
