package deploycheck

import (
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// checkBuildContext checks that the build stage copies every file the
// binaries are built from (packages and embedded files, per `go list`), and
// that .dockerignore keeps none of them out of the context.
func checkBuildContext(t *testing.T, d deployable, build stage) problems {
	t.Helper()
	var bad problems
	var sources []string
	for _, in := range build.all("COPY") {
		if _, ok := in.flag("from"); ok {
			continue
		}
		f := strings.Fields(in.args)
		sources = append(sources, f[:len(f)-1]...)
	}
	for _, want := range []string{"go.mod", "go.sum"} {
		if !slices.Contains(sources, want) {
			bad.addf("the build stage does not copy %s", want)
		}
	}
	ignore := dockerignore(t)
	for _, file := range sourceFiles(t, "./"+d.dir, "./cmd/healthcheck") {
		covered := slices.ContainsFunc(sources, func(src string) bool {
			src = strings.TrimSuffix(src, "/")
			return file == src || strings.HasPrefix(file, src+"/")
		})
		if !covered {
			bad.addf("%s is needed to build but no COPY brings it", file)
		}
		if ignore.excludes(file) {
			bad.addf("%s is needed to build but .dockerignore excludes it", file)
		}
	}
	return bad
}

// sourceFiles lists, relative to the root, the Go and embedded files of the
// module's own packages the given main packages are built from.
func sourceFiles(t *testing.T, pkgs ...string) []string {
	t.Helper()
	args := append([]string{"list", "-deps", "-f",
		`{{if .Module}}{{if .Module.Main}}{{$d := .Dir}}{{range .GoFiles}}{{$d}}/{{.}}{{"\n"}}{{end}}{{range .EmbedFiles}}{{$d}}/{{.}}{{"\n"}}{{end}}{{end}}{{end}}`}, pkgs...)
	cmd := exec.Command("go", args...)
	cmd.Dir = root(t)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list %v: %v", pkgs, err)
	}
	var files []string
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		rel, err := filepath.Rel(root(t), line)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, filepath.ToSlash(rel))
	}
	slices.Sort(files)
	return slices.Compact(files)
}

type ignoreRule struct {
	re     *regexp.Regexp
	negate bool
}

type ignoreRules []ignoreRule

// dockerignore reads .dockerignore's patterns.
func dockerignore(t testing.TB) ignoreRules {
	t.Helper()
	var rules ignoreRules
	for _, line := range strings.Split(read(t, ".dockerignore"), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		negate := strings.HasPrefix(line, "!")
		line = strings.Trim(strings.TrimPrefix(line, "!"), "/")
		rules = append(rules, ignoreRule{re: globRegexp(line), negate: negate})
	}
	return rules
}

// globRegexp translates a .dockerignore pattern: * and ? within a path
// element, ** across elements.
func globRegexp(pattern string) *regexp.Regexp {
	var b strings.Builder
	b.WriteString("^")
	for i := 0; i < len(pattern); i++ {
		switch c := pattern[i]; {
		case strings.HasPrefix(pattern[i:], "**/"):
			b.WriteString("(?:.*/)?")
			i += 2
		case strings.HasPrefix(pattern[i:], "**"):
			b.WriteString(".*")
			i++
		case c == '*':
			b.WriteString("[^/]*")
		case c == '?':
			b.WriteString("[^/]")
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	b.WriteString("$")
	return regexp.MustCompile(b.String())
}

// excludes reports whether the context leaves a file out: a pattern that
// matches a directory leaves out everything below it; the last matching
// pattern wins.
func (rules ignoreRules) excludes(file string) bool {
	excluded := false
	for _, r := range rules {
		for p := file; p != "."; p = filepath.ToSlash(filepath.Dir(p)) {
			if r.re.MatchString(p) {
				excluded = !r.negate
				break
			}
		}
	}
	return excluded
}
