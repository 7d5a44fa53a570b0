package deploycheck

import (
	"bufio"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// instruction is one Dockerfile instruction, continuation lines joined.
type instruction struct {
	cmd   string   // FROM, RUN, COPY, ... upper-cased
	flags []string // leading --name=value options
	args  string   // the rest
	line  int
}

// stage is one FROM and what follows it.
type stage struct {
	from   string // the image, build arguments expanded
	name   string // AS name
	instrs []instruction
}

type dockerfile struct {
	path   string
	args   map[string]string // ARGs before the first FROM, with defaults
	stages []stage
}

// parseDockerfile reads the instructions of a Dockerfile: enough of the
// syntax for the project's own files (comments, continuation lines, flags,
// JSON and shell forms), not heredocs.
func parseDockerfile(path, src string) (dockerfile, error) {
	df := dockerfile{path: path, args: map[string]string{}}
	var instrs []instruction
	var cur strings.Builder
	start := 0
	sc := bufio.NewScanner(strings.NewReader(src))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if cur.Len() == 0 && (line == "" || strings.HasPrefix(line, "#")) {
			continue
		}
		if cur.Len() > 0 && strings.HasPrefix(line, "#") {
			continue // comments inside a continued instruction
		}
		if cur.Len() == 0 {
			start = n
		}
		if body, ok := strings.CutSuffix(line, `\`); ok {
			cur.WriteString(body + " ")
			continue
		}
		cur.WriteString(line)
		instrs = append(instrs, splitInstruction(cur.String(), start))
		cur.Reset()
	}
	if err := sc.Err(); err != nil {
		return df, err
	}
	if cur.Len() > 0 {
		return df, fmt.Errorf("%s:%d: continuation at end of file", path, start)
	}
	for _, in := range instrs {
		switch {
		case in.cmd == "FROM":
			f := strings.Fields(in.args)
			if len(f) != 1 && (len(f) != 3 || !strings.EqualFold(f[1], "AS")) {
				return df, fmt.Errorf("%s:%d: FROM %s: want IMAGE [AS NAME]", path, in.line, in.args)
			}
			st := stage{from: expandArgs(f[0], df.args)}
			if len(f) == 3 {
				st.name = f[2]
			}
			df.stages = append(df.stages, st)
		case len(df.stages) == 0 && in.cmd == "ARG":
			k, v, _ := strings.Cut(in.args, "=")
			df.args[k] = v
		case len(df.stages) == 0:
			return df, fmt.Errorf("%s:%d: %s before FROM", path, in.line, in.cmd)
		default:
			last := &df.stages[len(df.stages)-1]
			last.instrs = append(last.instrs, in)
		}
	}
	if len(df.stages) == 0 {
		return df, fmt.Errorf("%s: no FROM", path)
	}
	return df, nil
}

func splitInstruction(s string, line int) instruction {
	cmd, rest, _ := strings.Cut(s, " ")
	in := instruction{cmd: strings.ToUpper(cmd), line: line}
	rest = strings.TrimSpace(rest)
	for strings.HasPrefix(rest, "--") {
		flag, after, _ := strings.Cut(rest, " ")
		in.flags = append(in.flags, flag)
		rest = strings.TrimSpace(after)
	}
	in.args = rest
	return in
}

var argRef = regexp.MustCompile(`\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?`)

func expandArgs(s string, args map[string]string) string {
	return argRef.ReplaceAllStringFunc(s, func(ref string) string {
		name := argRef.FindStringSubmatch(ref)[1]
		if v, ok := args[name]; ok {
			return v
		}
		return ref
	})
}

// exec returns the JSON (exec) form of an instruction's arguments, or nil.
func execForm(args string) []string {
	var out []string
	if json.Unmarshal([]byte(args), &out) != nil {
		return nil
	}
	return out
}

func (s stage) all(cmd string) []instruction {
	var out []instruction
	for _, in := range s.instrs {
		if in.cmd == cmd {
			out = append(out, in)
		}
	}
	return out
}

func (s stage) last(cmd string) (instruction, bool) {
	all := s.all(cmd)
	if len(all) == 0 {
		return instruction{}, false
	}
	return all[len(all)-1], true
}

func (in instruction) flag(name string) (string, bool) {
	for _, f := range in.flags {
		if v, ok := strings.CutPrefix(f, "--"+name+"="); ok {
			return v, true
		}
	}
	return "", false
}

// dockerfileFacts is what the summary table shows of a Dockerfile.
type dockerfileFacts struct {
	base, expose, user string
}

// checkDockerfile checks one deployable's Dockerfile against its code.
func checkDockerfile(t *testing.T, d deployable, port string) (dockerfileFacts, problems) {
	t.Helper()
	var bad problems
	var facts dockerfileFacts
	rel := d.dir + "/Dockerfile"
	df, err := parseDockerfile(rel, read(t, rel))
	if err != nil {
		bad.addf("%v", err)
		return facts, bad
	}
	if len(df.stages) < 2 {
		bad.addf("want a build stage and a runtime stage, got %d stage(s)", len(df.stages))
		return facts, bad
	}
	build, final := df.stages[0], df.stages[len(df.stages)-1]
	facts.base = final.from

	// The build stage: the Go toolchain of go.mod, cached modules, a static
	// stripped binary of this deployable.
	goVersion := goDirective(t)
	if !regexp.MustCompile(`^golang:` + regexp.QuoteMeta(goVersion) + `(\.[0-9]+)?-`).MatchString(build.from) {
		bad.addf("build stage FROM %s: want golang:%s-<distribution> (go.mod says go %s)", build.from, goVersion, goVersion)
	}
	cgoOff := false
	for _, in := range build.all("ENV") {
		cgoOff = cgoOff || strings.Contains(in.args, "CGO_ENABLED=0")
	}
	downloads, builds := false, false
	binary := "/out/" + d.name
	for _, in := range build.all("RUN") {
		cached := slices.ContainsFunc(in.flags, func(f string) bool { return strings.HasPrefix(f, "--mount=type=cache") })
		if strings.Contains(in.args, "go mod download") && cached {
			downloads = true
		}
		if strings.Contains(in.args, "go build") && strings.Contains(in.args, "./"+d.dir) {
			builds = true
			cgoOff = cgoOff || strings.Contains(in.args, "CGO_ENABLED=0")
			for _, want := range []string{"-trimpath", `-ldflags="-s -w"`, "-o " + binary + " ./" + d.dir} {
				if !strings.Contains(in.args, want) {
					bad.addf("the go build of ./%s lacks %s", d.dir, want)
				}
			}
			if !cached {
				bad.addf("the go build of ./%s does not use a cache mount", d.dir)
			}
			if !strings.Contains(in.args, "./cmd/healthcheck") {
				bad.addf("the build stage does not build ./cmd/healthcheck")
			}
		}
	}
	if !downloads {
		bad.addf("no `go mod download` with a cache mount in the build stage")
	}
	if !builds {
		bad.addf("no `go build ... ./%s` in the build stage", d.dir)
	}
	if !cgoOff {
		bad.addf("CGO_ENABLED=0 is not set in the build stage: the runtime image has no C library")
	}
	bad = append(bad, checkBuildContext(t, d, build)...)

	// The runtime stage: small, non-root, the binary, the probe.
	if !strings.HasPrefix(final.from, "gcr.io/distroless/static") && final.from != "scratch" {
		bad.addf("runtime stage FROM %s: want gcr.io/distroless/static-* or scratch", final.from)
	}
	copied := map[string]string{}
	for _, in := range final.all("COPY") {
		if from, ok := in.flag("from"); ok && from == build.name {
			f := strings.Fields(in.args)
			if len(f) == 2 {
				copied[f[0]] = f[1]
			}
		}
	}
	entry, _ := final.last("ENTRYPOINT")
	if got := execForm(entry.args); len(got) != 1 || copied[binary] != got[0] {
		bad.addf("ENTRYPOINT %s: want [%q], the binary copied from %s", entry.args, copied[binary], binary)
	}
	if copied["/out/healthcheck"] != "/healthcheck" {
		bad.addf("the probe is not copied to /healthcheck")
	}
	user, ok := final.last("USER")
	facts.user = user.args
	if name, _, _ := strings.Cut(user.args, ":"); !ok || name == "" || name == "root" || name == "0" {
		bad.addf("runtime stage USER %q: want a non-root user", user.args)
	}
	var exposed []string
	for _, in := range final.all("EXPOSE") {
		for _, p := range strings.Fields(in.args) {
			exposed = append(exposed, strings.TrimSuffix(p, "/tcp"))
		}
	}
	facts.expose = strings.Join(exposed, " ")
	if !slices.Contains(exposed, port) {
		bad.addf("EXPOSE %v lacks the service's port %s", exposed, port)
	}
	hc, ok := final.last("HEALTHCHECK")
	probe := []string{"/healthcheck", port, healthPath}
	if cmd, form, _ := strings.Cut(hc.args, " "); !ok || cmd != "CMD" || !slices.Equal(execForm(form), probe) {
		bad.addf("HEALTHCHECK %q: want CMD %q", hc.args, probe)
	}

	// No secret baked into any layer.
	for _, s := range df.stages {
		for _, in := range s.instrs {
			if in.cmd != "ENV" && in.cmd != "ARG" {
				continue
			}
			for _, f := range strings.Fields(in.args) {
				name, _, _ := strings.Cut(f, "=")
				if v, ok := d.variable(name); (ok && v.Secret) || secretName.MatchString(name) {
					bad.addf("%s %s: secrets never go into an image", in.cmd, name)
				}
			}
		}
	}
	return facts, bad
}

// goDirective is go.mod's language version, major.minor.
func goDirective(t testing.TB) string {
	t.Helper()
	m := regexp.MustCompile(`(?m)^go ([0-9]+\.[0-9]+)`).FindStringSubmatch(read(t, "go.mod"))
	if m == nil {
		t.Fatal("go.mod has no go directive")
	}
	return m[1]
}
