package deploycheck

import (
	"regexp"
	"slices"
	"sort"
	"strings"
)

// place is where a deployable runs and what it is given there.
type place struct {
	// name is "compose" or "ECS".
	name string
	// env holds the plain values, as the program sees them (compose: after
	// interpolation).
	env map[string]string
	// raw holds compose's values as written, before interpolation.
	raw map[string]string
	// secrets holds ECS's secrets: variable -> valueFrom, as written.
	secrets map[string]string
}

// wired counts what checkWiring saw, for the summary table.
type wired struct {
	set, secrets, defaults int
}

// checkWiring applies the wiring rule (see doc.go) to one deployable in one
// place.
func checkWiring(d deployable, p place) (wired, problems) {
	var bad problems
	var w wired
	isSet := func(name string) bool {
		_, inEnv := p.env[name]
		_, inSecrets := p.secrets[name]
		return inEnv || inSecrets
	}
	alternativeSet := func(name string) (group []string, ok bool) {
		for _, g := range d.alternatives {
			if slices.Contains(g, name) {
				return g, slices.ContainsFunc(g, isSet)
			}
		}
		return nil, false
	}

	for _, v := range d.vars {
		value, inEnv := p.env[v.Name]
		_, inSecrets := p.secrets[v.Name]
		set := inEnv || inSecrets
		switch {
		case inSecrets:
			w.secrets++
		case inEnv:
			w.set++
		default:
			w.defaults++
		}

		// Rule 1.
		if v.Name == "APP_ENV" {
			if !inEnv || value != "production" {
				bad.addf("APP_ENV must be set to production (got %q)", value)
			}
			continue
		}
		// Rules 2 and 3.
		if !set {
			group, groupSet := alternativeSet(v.Name)
			switch {
			case group != nil && groupSet:
			case group != nil:
				bad.addf("none of %s is set, and one is required", strings.Join(group, ", "))
			case !v.HasDefault && optional[v.Name] == "":
				bad.addf("%s is not set and has no default: set it, or list it in optional if empty is right in production", v.Name)
			case loopback(v.Default):
				bad.addf("%s is not set, and its default %q points at the container itself", v.Name, v.Default)
			}
		}
		// Rule 5.
		if v.Secret && inEnv {
			switch p.name {
			case "ECS":
				bad.addf("secret %s is in environment: it belongs in secrets (Secrets Manager)", v.Name)
			default:
				if raw := p.raw[v.Name]; !requiredInterpolationsOnly(raw) {
					bad.addf("secret %s = %q: must be built only from required variables, ${VAR:?message}", v.Name, raw)
				}
			}
		}
		if inSecrets && !placeholder.MatchString(p.secrets[v.Name]) {
			bad.addf("secret %s comes from %q, not from a Terraform-filled ARN", v.Name, p.secrets[v.Name])
		}
		// Rule 5 for a value with a password in it (a URL's), secret or
		// not: in compose the password is a required variable.
		if inEnv && !v.Secret && credentials.MatchString(value) {
			if raw, ok := p.raw[v.Name]; p.name != "compose" || !ok || !credentialsFromRequired(raw) {
				bad.addf("%s = %q carries credentials: make it a secret, or in compose take the password from a required variable", v.Name, value)
			}
		}
		// Rule 7.
		if raw, ok := p.raw[v.Name]; ok && v.HasDefault && !loopback(v.Default) {
			for _, m := range fallback.FindAllStringSubmatch(raw, -1) {
				if m[1] == v.Name && m[2] != v.Default {
					bad.addf("%s falls back to %q in compose, but the code's default is %q", v.Name, m[2], v.Default)
				}
			}
		}
	}

	// Rule 6.
	for _, name := range sortedKeys(p.env, p.secrets) {
		if _, ok := d.variable(name); !ok {
			bad.addf("%s is set but %s does not read it", name, d.name)
		}
	}
	return w, bad
}

// optional lists the variables without a default whose empty value is the
// right one in production, and why; every other variable without a default
// must be set (rule 2). A new one fails the check until someone decides.
var optional = map[string]string{
	"WS_ALLOWED_ORIGINS": "inventory-app: browser origins besides the feed's own; browsers reach the feed only through the gateway, which relays it without an Origin",
	"PPROF_ADDR":         "every service: the profiler is for an operator measuring one replica by hand, never served by default",
	"AUTH_PUBLIC_KEYS":   "web: keys accepted besides its own, during a rotation only (the services must set it: they have no key of their own)",
	"TRUSTED_PROXIES":    "web: the load balancers in front of it; with none (compose publishes the gateway itself) the peer is the client",
	"LEADER_HOLDER":      "inventory-app: replicas share the warehouse's store, so each must be a new holder at every start (the host-random default); only the embedded run, which owns its store alone, names itself",
	// The OpenTelemetry settings (internal/tracing.Settings) the
	// specification leaves empty by default.
	"OTEL_EXPORTER_OTLP_ENDPOINT":        "every service: tracing is off without a collector to send to; the deployments that trace (infra/, tracing = true) set it",
	"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "every service: the traces' own URL, only where it is not OTEL_EXPORTER_OTLP_ENDPOINT's /v1/traces",
	"OTEL_EXPORTER_OTLP_TRACES_PROTOCOL": "every service: the traces' own protocol, only where it is not OTEL_EXPORTER_OTLP_PROTOCOL's",
	"OTEL_TRACES_SAMPLER_ARG":            "every service: the sampler's argument, which the default sampler (parentbased_always_on) takes none of",
}

var (
	// placeholder is a Terraform template variable standing for a whole
	// value.
	placeholder = regexp.MustCompile(`^\$\{[a-z][a-z0-9_]*\}$`)
	// credentials matches a URL with a password in it.
	credentials = regexp.MustCompile(`://[^/@\s]*:[^/@\s]+@`)
	// rawCredentials matches the password of a URL as compose has it
	// written, ${...} included.
	rawCredentials = regexp.MustCompile(`://[^/:@\s]*:((?:\$\{[^}]*\}|[^/@\s$])+)@`)
	// fallback matches ${NAME:-value} and ${NAME-value}.
	fallback = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*):?-([^}]*)\}`)
	// required matches the inside of ${NAME:?message} and ${NAME?message}.
	required = regexp.MustCompile(`^([A-Za-z_][A-Za-z0-9_]*):?\?`)
)

// credentialsFromRequired reports whether every password in a compose value
// (user:password@ of a URL) is built only from required variables.
func credentialsFromRequired(raw string) bool {
	ms := rawCredentials.FindAllStringSubmatch(raw, -1)
	for _, m := range ms {
		if !requiredInterpolationsOnly(m[1]) {
			return false
		}
	}
	return len(ms) > 0
}

// requiredInterpolationsOnly reports whether every interpolation in a
// compose value is a required variable, and there is at least one: a literal
// secret, a $VAR that may be empty or a ${VAR:-fallback} all fail.
func requiredInterpolationsOnly(raw string) bool {
	return len(interpolations(raw)) > 0 && allRequired(raw)
}

func allRequired(raw string) bool {
	for _, in := range interpolations(raw) {
		if !required.MatchString(in) {
			return false
		}
	}
	return true
}

// interpolations returns what is inside each ${...} of a compose value, and
// the names of bare $VAR references as they are; $$ is a literal dollar.
func interpolations(raw string) []string {
	var out []string
	for i := 0; i < len(raw); i++ {
		if raw[i] != '$' || i+1 == len(raw) {
			continue
		}
		switch next := raw[i+1]; {
		case next == '$':
			i++
		case next == '{':
			end := strings.IndexByte(raw[i:], '}')
			if end < 0 {
				out = append(out, raw[i+2:])
				return out
			}
			out = append(out, raw[i+2:i+end])
			i += end
		case next == '_' || next >= 'A' && next <= 'Z' || next >= 'a' && next <= 'z':
			j := i + 1
			for j < len(raw) && (raw[j] == '_' || raw[j] >= 'A' && raw[j] <= 'Z' || raw[j] >= 'a' && raw[j] <= 'z' || raw[j] >= '0' && raw[j] <= '9') {
				j++
			}
			out = append(out, "bare $"+raw[i+1:j])
			i = j - 1
		}
	}
	return out
}

// interpolatedNames returns the variable names a compose text interpolates.
func interpolatedNames(raw string) []string {
	var out []string
	for _, in := range interpolations(raw) {
		in = strings.TrimPrefix(in, "bare $")
		end := strings.IndexAny(in, ":-?+}")
		if end < 0 {
			end = len(in)
		}
		out = append(out, in[:end])
	}
	return out
}

func sortedKeys(maps ...map[string]string) []string {
	var keys []string
	for _, m := range maps {
		for k := range m {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return slices.Compact(keys)
}
