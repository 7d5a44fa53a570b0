package deploycheck

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// containerDefinition is the part of an ECS container definition the checks
// read.
type containerDefinition struct {
	Name         string `json:"name"`
	Image        string `json:"image"`
	Essential    *bool  `json:"essential"`
	ReadOnlyRoot bool   `json:"readonlyRootFilesystem"`
	PortMappings []struct {
		ContainerPort int `json:"containerPort"`
	} `json:"portMappings"`
	Environment []struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	} `json:"environment"`
	Secrets []struct {
		Name      string `json:"name"`
		ValueFrom string `json:"valueFrom"`
	} `json:"secrets"`
	HealthCheck *struct {
		Command []string `json:"command"`
	} `json:"healthCheck"`
	LogConfiguration *struct {
		LogDriver string `json:"logDriver"`
	} `json:"logConfiguration"`
}

var templateVar = regexp.MustCompile(`\$\{([^}]*)\}`)

func taskdefPath(app string) string { return "infra/taskdefs/" + app + ".json.tftpl" }

// renderTaskdef reads a task definition template as Terraform's
// templatefile() would render it, every ${name} replaced by a marker, and
// returns the containers and the template variables it uses. The values
// keep the ${name} they stand for, so checks can see where a value comes
// from.
func renderTaskdef(t testing.TB, app string) ([]containerDefinition, []string, error) {
	t.Helper()
	src := read(t, taskdefPath(app))
	if strings.Contains(src, "%{") {
		return nil, nil, fmt.Errorf("%s: template directives (%%{...}) are not supported by this check; keep the template plain JSON", taskdefPath(app))
	}
	var vars []string
	for _, m := range templateVar.FindAllStringSubmatch(src, -1) {
		if !regexp.MustCompile(`^[a-z][a-z0-9_]*$`).MatchString(m[1]) {
			return nil, nil, fmt.Errorf("%s: ${%s}: only plain variable names are supported", taskdefPath(app), m[1])
		}
		vars = append(vars, m[1])
	}
	slices.Sort(vars)
	var defs []containerDefinition
	if err := json.Unmarshal([]byte(src), &defs); err != nil {
		return nil, nil, fmt.Errorf("%s: not a JSON array of container definitions once rendered: %v", taskdefPath(app), err)
	}
	return defs, slices.Compact(vars), nil
}

// ecsFacts is what the summary table shows of an ECS container.
type ecsFacts struct {
	port  string
	wired wired
}

func checkTaskdef(t *testing.T, d deployable, tf terraform) (ecsFacts, problems) {
	t.Helper()
	var bad problems
	var facts ecsFacts
	defs, vars, err := renderTaskdef(t, d.name)
	if err != nil {
		bad.addf("%v", err)
		return facts, bad
	}
	var c *containerDefinition
	for i := range defs {
		if defs[i].Name == d.name {
			c = &defs[i]
		}
	}
	if c == nil {
		bad.addf("no container named %s (the deploy workflow's container-name)", d.name)
		return facts, bad
	}
	if c.Image != "${image}" {
		bad.addf("image %q: want ${image}, which Terraform and the deploy workflow fill", c.Image)
	}
	if c.Essential == nil || !*c.Essential {
		bad.addf("the container is not essential")
	}
	if !c.ReadOnlyRoot {
		bad.addf("readonlyRootFilesystem is off")
	}
	if c.LogConfiguration == nil || c.LogConfiguration.LogDriver != "awslogs" {
		bad.addf("logs do not go to CloudWatch (awslogs)")
	}

	env := map[string]string{}
	for _, e := range c.Environment {
		if _, dup := env[e.Name]; dup {
			bad.addf("%s is in environment twice", e.Name)
		}
		env[e.Name] = e.Value
	}
	secrets := map[string]string{}
	for _, s := range c.Secrets {
		if _, dup := secrets[s.Name]; dup {
			bad.addf("%s is in secrets twice", s.Name)
		}
		secrets[s.Name] = s.ValueFrom
		if want := "${" + strings.ToLower(s.Name) + "_arn}"; s.ValueFrom != want {
			bad.addf("secret %s comes from %s, want %s (infra/ecs.tf names the ARNs so)", s.Name, s.ValueFrom, want)
		}
	}
	w, wiring := checkWiring(d, place{name: "ECS", env: env, secrets: secrets})
	facts.wired = w
	bad = append(bad, wiring...)

	// The execution role may read exactly the secrets the container gets.
	if want := slices.Sorted(slices.Values(tf.appSecrets[d.name])); !slices.Equal(sortedKeys(secrets), want) {
		bad.addf("secrets %v, but infra/secrets.tf gives %s the secrets %v", sortedKeys(secrets), d.name, want)
	}
	// Every template variable is one Terraform passes.
	for _, v := range vars {
		if !slices.Contains(tf.taskdefVars(d.name), v) {
			bad.addf("${%s} is not among the variables infra/ecs.tf passes to the template: %v", v, tf.taskdefVars(d.name))
		}
	}

	port := d.port(t, env)
	facts.port = port
	if len(c.PortMappings) != 1 || fmt.Sprint(c.PortMappings[0].ContainerPort) != port {
		bad.addf("portMappings %+v: want the one containerPort %s", c.PortMappings, port)
	}
	if tfPort := tf.appPorts[d.name]; tfPort != port {
		bad.addf("infra/locals.tf gives %s port %q, the code %s", d.name, tfPort, port)
	}
	probe := []string{"CMD", "/healthcheck", port, healthPath}
	if c.HealthCheck == nil || !slices.Equal(c.HealthCheck.Command, probe) {
		bad.addf("healthCheck: want command %q", probe)
	}
	return facts, bad
}
