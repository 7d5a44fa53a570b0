package deploycheck

import (
	"slices"
	"strings"
	"testing"
)

// envExample reads the assignments of .env.example.
func envExample(t testing.TB) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, line := range strings.Split(read(t, ".env.example"), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			t.Fatalf(".env.example: %q is not NAME=value", line)
		}
		out[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	return out
}

// secretVariables lists the variables that hold secrets in the compose
// setup: the deployables' secrets, the variables their compose values are
// built from (a database password inside DATABASE_URL, say), and every
// variable named like a credential.
func secretVariables(t testing.TB) []string {
	t.Helper()
	model := rawCompose(t)
	var names []string
	for _, d := range deployables(t) {
		raw := rawEnvironment(t, model, d.name)
		for _, v := range d.vars {
			if v.Secret {
				names = append(names, v.Name)
				names = append(names, interpolatedNames(raw[v.Name])...)
			}
		}
	}
	for _, name := range interpolatedNames(read(t, composeFile)) {
		if secretName.MatchString(name) {
			names = append(names, name)
		}
	}
	for name := range envExample(t) {
		if secretName.MatchString(name) {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	return slices.Compact(names)
}

// TestNoSecretHasADefault checks that no secret has a value in the
// repository: not as a default in the code, a compose fallback, a value in
// .env.example or a Terraform variable default.
func TestNoSecretHasADefault(t *testing.T) {
	var bad problems

	// The code: secrets are tagged, and tagged secrets have no default.
	for _, d := range deployables(t) {
		for _, v := range d.vars {
			if v.Secret && v.HasDefault {
				bad.addf("%s: secret %s has the default %q in its configuration struct", d.name, v.Name, v.Default)
			}
			if secretName.MatchString(v.Name) && !v.Secret {
				bad.addf("%s: %s looks like a secret but is not tagged secret:\"true\"", d.name, v.Name)
			}
		}
	}

	secrets := secretVariables(t)
	if len(secrets) == 0 {
		t.Fatal("found no secret variables at all: the check reads nothing")
	}

	// docker-compose.yaml: every use of a secret is a required variable.
	for _, in := range interpolations(read(t, composeFile)) {
		names := interpolatedNames("${" + in + "}")
		if strings.HasPrefix(in, "bare $") {
			names = []string{strings.TrimPrefix(in, "bare $")}
		}
		if len(names) == 1 && slices.Contains(secrets, names[0]) && !required.MatchString(in) {
			bad.addf("%s: ${%s}: a secret must be a required variable, ${%s:?message}", composeFile, in, names[0])
		}
	}

	// .env.example: every variable compose requires is listed, and every
	// secret is empty.
	example := envExample(t)
	for _, name := range requiredVariables(t) {
		if _, ok := example[name]; !ok {
			bad.addf(".env.example does not list %s, which compose requires", name)
		}
	}
	for _, name := range secrets {
		if v := example[name]; v != "" {
			bad.addf(".env.example gives the secret %s a value", name)
		}
	}

	// Terraform: variables that are sensitive or named like a secret have
	// no default (and are sensitive).
	bodies, names := blocks(read(t, "infra/variables.tf"), `variable "([^"]+)"`)
	for i, body := range bodies {
		name, e := names[i][0], entries(body)
		_, hasDefault := e["default"]
		sensitive := e["sensitive"] == "true"
		if (sensitive || secretName.MatchString(name)) && hasDefault {
			bad.addf("infra/variables.tf: secret variable %q has a default", name)
		}
		if secretName.MatchString(name) && !sensitive {
			bad.addf("infra/variables.tf: variable %q looks like a secret but is not sensitive", name)
		}
	}
	if len(bodies) == 0 {
		bad.addf("infra/variables.tf: no variables read")
	}

	// Task definitions: no container, sidecars included, gets a credential
	// as a plain value.
	for _, d := range deployables(t) {
		if !d.ecs {
			continue
		}
		defs, _, err := renderTaskdef(t, d.name)
		if err != nil {
			bad.addf("%v", err)
			continue
		}
		for _, c := range defs {
			for _, e := range c.Environment {
				if secretName.MatchString(e.Name) || credentials.MatchString(e.Value) {
					bad.addf("%s: container %s has %s in environment: it belongs in secrets", taskdefPath(d.name), c.Name, e.Name)
				}
			}
		}
	}
	t.Logf("secrets checked: %s", strings.Join(secrets, ", "))
	bad.report(t, "secrets")
}
