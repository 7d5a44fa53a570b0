package deploycheck

import (
	"slices"
	"strings"
	"testing"

	"github.com/comanda-dev/comanda/internal/config"
)

// These tests feed the checks mistakes on purpose, so that a passing
// TestDeploymentMatchesTheCode means something.

func TestWiringRuleCatchesMistakes(t *testing.T) {
	d := deployable{
		name: "svc",
		vars: []config.Variable{
			{Name: "APP_ENV", Default: "development", HasDefault: true},
			{Name: "SVC_ADDR", Default: ":3000", HasDefault: true},
			{Name: "REDIS_URL", Default: "redis://127.0.0.1:6379/0", HasDefault: true},
			{Name: "AUTH_SECRET", Secret: true},
			{Name: "LOG_LEVEL", Default: "info", HasDefault: true},
			{Name: "PASSWORD", Secret: true},
			{Name: "PASSWORD_HASH", Secret: true},
		},
		addrVar:      "SVC_ADDR",
		alternatives: [][]string{{"PASSWORD", "PASSWORD_HASH"}},
	}
	good := func() place {
		return place{name: "ECS",
			env:     map[string]string{"APP_ENV": "production", "REDIS_URL": "${redis_url}"},
			secrets: map[string]string{"AUTH_SECRET": "${auth_secret_arn}", "PASSWORD_HASH": "${password_hash_arn}"},
		}
	}
	if _, bad := checkWiring(d, good()); len(bad) != 0 {
		t.Fatalf("a correct wiring is refused: %v", bad)
	}
	composeGood := place{name: "compose",
		env: map[string]string{"APP_ENV": "production", "REDIS_URL": "redis://redis:6379/0", "AUTH_SECRET": "x", "PASSWORD": "y", "LOG_LEVEL": "info"},
		raw: map[string]string{"APP_ENV": "production", "REDIS_URL": "redis://redis:6379/0", "AUTH_SECRET": "${AUTH_SECRET:?set it}",
			"PASSWORD": "pre-${PW?set it}-post", "LOG_LEVEL": "${LOG_LEVEL:-info}"},
	}
	if _, bad := checkWiring(d, composeGood); len(bad) != 0 {
		t.Fatalf("a correct compose wiring is refused: %v", bad)
	}

	for _, tc := range []struct {
		name   string
		break_ func(p *place)
		want   string
	}{
		{"APP_ENV missing", func(p *place) { delete(p.env, "APP_ENV") }, "APP_ENV must be set to production"},
		{"APP_ENV development", func(p *place) { p.env["APP_ENV"] = "development" }, "APP_ENV must be set to production"},
		{"secret missing", func(p *place) { delete(p.secrets, "AUTH_SECRET") }, "AUTH_SECRET is not set and has no default"},
		{"secret in environment", func(p *place) { p.env["AUTH_SECRET"] = "${auth_secret_arn}"; delete(p.secrets, "AUTH_SECRET") }, "secret AUTH_SECRET is in environment"},
		{"secret from a literal", func(p *place) { p.secrets["AUTH_SECRET"] = "arn:aws:secretsmanager:x" }, "not from a Terraform-filled ARN"},
		{"loopback default left", func(p *place) { delete(p.env, "REDIS_URL") }, "points at the container itself"},
		{"no alternative", func(p *place) { delete(p.secrets, "PASSWORD_HASH") }, "none of PASSWORD, PASSWORD_HASH is set"},
		{"typo", func(p *place) { p.env["REDIS_ULR"] = "x" }, "REDIS_ULR is set but svc does not read it"},
		{"credentials in plain sight", func(p *place) { p.env["REDIS_URL"] = "rediss://:hunter2@cache:6379" }, "carries credentials"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := good()
			tc.break_(&p)
			_, bad := checkWiring(d, p)
			if !slices.ContainsFunc(bad, func(s string) bool { return strings.Contains(s, tc.want) }) {
				t.Errorf("want a problem mentioning %q, got %v", tc.want, bad)
			}
		})
	}

	for _, tc := range []struct{ name, raw, want string }{
		{"literal secret", "hunter2", "must be built only from required variables"},
		{"secret with a fallback", "${AUTH_SECRET:-changeme}", "must be built only from required variables"},
		{"secret that may be empty", "${AUTH_SECRET}", "must be built only from required variables"},
		{"bare secret", "$AUTH_SECRET", "must be built only from required variables"},
	} {
		t.Run("compose "+tc.name, func(t *testing.T) {
			p := composeGood
			p.raw = map[string]string{"APP_ENV": "production", "AUTH_SECRET": tc.raw}
			_, bad := checkWiring(d, p)
			if !slices.ContainsFunc(bad, func(s string) bool { return strings.Contains(s, tc.want) }) {
				t.Errorf("want a problem mentioning %q, got %v", tc.want, bad)
			}
		})
	}
	t.Run("compose credentials", func(t *testing.T) {
		for raw, ok := range map[string]bool{
			"redis://svc:${P:?set P}@redis:6379/0": true,
			"redis://svc:hunter2@redis:6379/0":     false,
			"redis://svc:${P:-hunter2}@redis:6379": false,
		} {
			p := composeGood
			p.env = map[string]string{"APP_ENV": "production", "AUTH_SECRET": "x", "PASSWORD": "y", "REDIS_URL": "redis://svc:pw@redis:6379/0"}
			p.raw = map[string]string{"APP_ENV": "production", "AUTH_SECRET": "${A:?x}", "PASSWORD": "${B:?x}", "REDIS_URL": raw}
			_, bad := checkWiring(d, p)
			flagged := slices.ContainsFunc(bad, func(s string) bool { return strings.Contains(s, "carries credentials") })
			if flagged == ok {
				t.Errorf("REDIS_URL %s: flagged %v, want %v (%v)", raw, flagged, !ok, bad)
			}
		}
	})
	t.Run("compose fallback other than the code's default", func(t *testing.T) {
		p := composeGood
		p.raw = map[string]string{"APP_ENV": "production", "AUTH_SECRET": "${A:?x}", "PASSWORD": "${B:?x}", "LOG_LEVEL": "${LOG_LEVEL:-debug}"}
		_, bad := checkWiring(d, p)
		if !slices.ContainsFunc(bad, func(s string) bool { return strings.Contains(s, `falls back to "debug"`) }) {
			t.Errorf("got %v", bad)
		}
	})
}

func TestInterpolations(t *testing.T) {
	for raw, want := range map[string][]string{
		"plain":                      nil,
		"$$escaped and $${too}":      nil,
		"a${X:?m}b${Y:-d}":           {"X:?m", "Y:-d"},
		"$BARE/x":                    {"bare $BARE"},
		"postgres://u:${P?x}@h:5432": {"P?x"},
	} {
		if got := interpolations(raw); !slices.Equal(got, want) {
			t.Errorf("interpolations(%q) = %q, want %q", raw, got, want)
		}
	}
	if !requiredInterpolationsOnly("postgres://u:${P:?set P}@h/db") || requiredInterpolationsOnly("literal") ||
		requiredInterpolationsOnly("${A:?x}${B:-y}") {
		t.Error("requiredInterpolationsOnly misjudges")
	}
}

func TestParseDockerfile(t *testing.T) {
	df, err := parseDockerfile("Dockerfile", `# syntax=docker/dockerfile:1
ARG V=1.2
FROM --platform=$BUILDPLATFORM golang:${V}-x AS build
RUN --mount=type=cache,target=/c \
    # a comment inside
    go build -o /out/a ./a
FROM scratch
COPY --from=build /out/a /a
HEALTHCHECK --interval=5s CMD ["/a", "probe"]
`)
	if err != nil {
		t.Fatal(err)
	}
	if len(df.stages) != 2 || df.stages[0].from != "golang:1.2-x" || df.stages[0].name != "build" || df.stages[1].from != "scratch" {
		t.Fatalf("stages %+v", df.stages)
	}
	run, _ := df.stages[0].last("RUN")
	if run.args != "go build -o /out/a ./a" || len(run.flags) != 1 {
		t.Errorf("RUN %+v", run)
	}
	hc, _ := df.stages[1].last("HEALTHCHECK")
	if cmd, form, _ := strings.Cut(hc.args, " "); cmd != "CMD" || !slices.Equal(execForm(form), []string{"/a", "probe"}) {
		t.Errorf("HEALTHCHECK %+v", hc)
	}
	if _, err := parseDockerfile("x", "RUN true\n"); err == nil {
		t.Error("an instruction before FROM is accepted")
	}
}

func TestDockerignoreMatching(t *testing.T) {
	rules := ignoreRules{
		{re: globRegexp("**/*_test.go")},
		{re: globRegexp("docs")},
		{re: globRegexp("web/e2e")},
		{re: globRegexp("**/testdata")},
		{re: globRegexp("keep/*.md")},
		{re: globRegexp("keep/this.md"), negate: true},
	}
	for file, want := range map[string]bool{
		"internal/x/x_test.go":       true,
		"x_test.go":                  true,
		"internal/x/x.go":            false,
		"docs/architecture.md":       true,
		"orders-app/docs/docs.go":    false,
		"web/e2e/lib/a.js":           true,
		"web/app/app.go":             false,
		"internal/events/testdata/a": true,
		"keep/that.md":               true,
		"keep/this.md":               false,
	} {
		if got := rules.excludes(file); got != want {
			t.Errorf("excludes(%q) = %v, want %v", file, got, want)
		}
	}
}

func TestHCLReader(t *testing.T) {
	src := `
locals {
  # a comment { with a brace
  apps = {
    "a-app" = {
      port = 3000 // another
      name = "x-${lookup(var.m, "k", "}")}"
    }
    b = { port = 1 }
  }
  list = [1, 2]
}
variable "secret" {
  sensitive = true
  validation {
    condition = var.x == "y"
  }
}
`
	bodies, _ := blocks(src, `locals`)
	if len(bodies) != 1 {
		t.Fatalf("blocks: %d", len(bodies))
	}
	apps := entries(object(entries(bodies[0])["apps"]))
	if len(apps) != 2 || entries(object(apps["a-app"]))["port"] != "3000" || entries(object(apps["b"]))["port"] != "1" {
		t.Errorf("apps %v", apps)
	}
	if got := entries(object(apps["a-app"]))["name"]; got != `"x-${lookup(var.m, "k", "}")}"` {
		t.Errorf("name %s", got)
	}
	vars, names := blocks(src, `variable "([^"]+)"`)
	if len(vars) != 1 || names[0][0] != "secret" {
		t.Fatalf("variables %v", names)
	}
	e := entries(vars[0])
	if e["sensitive"] != "true" || len(e) != 1 {
		t.Errorf("variable entries %v (the validation block is no entry)", e)
	}
}
