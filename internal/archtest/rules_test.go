package archtest

import (
	"slices"
	"strings"
	"testing"
)

// synthetic builds a tree of module example.com/m from each package's
// imports; module paths are written relative to the module, and a path
// whose first element has no dot is the standard library's.
func synthetic(docs map[string]string, imports map[string][]string) *Tree {
	const module = "example.com/m"
	t := &Tree{Module: module, Packages: map[string]*Package{}}
	full := func(p string) string {
		if first, _, _ := strings.Cut(p, "/"); strings.Contains(first, ".") || isStd(p) {
			return p
		}
		return module + "/" + p
	}
	for path, imps := range imports {
		p := &Package{ImportPath: full(path), Doc: docs[path], Standard: isStd(path)}
		for _, imp := range imps {
			p.Imports = append(p.Imports, full(imp))
		}
		t.Packages[p.ImportPath] = p
	}
	for _, p := range t.Packages {
		seen := map[string]bool{}
		var walk func(string)
		walk = func(path string) {
			for _, imp := range t.Packages[path].Imports {
				if !seen[imp] {
					seen[imp] = true
					walk(imp)
				}
			}
		}
		walk(p.ImportPath)
		for dep := range seen {
			p.Deps = append(p.Deps, dep)
		}
		slices.Sort(p.Deps)
	}
	return t
}

func isStd(p string) bool {
	switch p {
	case "fmt", "net", "net/http":
		return true
	}
	return false
}

// The module of the synthetic cases, internal/dom apart.
var world = map[string][]string{
	"internal/plain":              {"fmt"},
	"internal/store":              {"github.com/jackc/pgx/v5", "fmt"},
	"internal/wrap":               {"internal/store"},
	"orders-app/internal/api":     {"github.com/gofiber/fiber/v2"},
	"cmd/tool":                    {"internal/plain"},
	"github.com/jackc/pgx/v5":     {"net"},
	"github.com/gofiber/fiber/v2": {"net/http"},
	"github.com/google/uuid":      {"fmt"},
	"net/http":                    {"net", "fmt"},
	"net":                         {},
	"fmt":                         {},
}

func check(doc string, imports ...string) (int, []string) {
	imps := map[string][]string{"internal/dom": imports}
	for k, v := range world {
		imps[k] = v
	}
	return synthetic(map[string]string{"internal/dom": doc}, imps).Check()
}

func TestCheckFindsBrokenRules(t *testing.T) {
	for _, c := range []struct {
		name, doc string
		imports   []string
		want      []string // a fragment of each problem, in order
	}{
		{
			name:    "an app",
			doc:     "Package dom.\n\nThe package must not import any app.\n",
			imports: []string{"internal/plain", "orders-app/internal/api"},
			want:    []string{"imports orders-app/internal/api (any app) (internal/dom → orders-app/internal/api)"},
		},
		{
			name:    "an adapter, reported where the chain enters it",
			doc:     "It must not import any adapter: no store.",
			imports: []string{"internal/plain", "internal/wrap"},
			want:    []string{"imports internal/wrap (any adapter) (internal/dom → internal/wrap)"},
		},
		{
			name:    "a driver, directly",
			doc:     "It must not import any adapter.",
			imports: []string{"github.com/gofiber/fiber/v2"},
			want:    []string{"imports github.com/gofiber/fiber/v2 (any adapter)"},
		},
		{
			name:    "a path outside the module, every major version",
			doc:     "It must not import github.com/jackc/pgx.",
			imports: []string{"internal/wrap"},
			want:    []string{"imports github.com/jackc/pgx/v5 (github.com/jackc/pgx) (internal/dom → internal/wrap → internal/store → github.com/jackc/pgx/v5)"},
		},
		{
			name:    "paths inside the module, listed with commas and or",
			doc:     "It must not import internal/plain, cmd, or internal/store; the rest is prose.",
			imports: []string{"internal/plain", "internal/wrap"},
			want:    []string{"imports internal/plain (internal/plain)", "imports internal/store (internal/store)"},
		},
		{
			name:    "a sentence wrapped over lines, ending after a path with dots",
			doc:     "It must not\nimport github.com/gofiber/fiber/v2. Fiber\nstays in the API.",
			imports: []string{"orders-app/internal/api"},
			want:    []string{"imports github.com/gofiber/fiber/v2 (github.com/gofiber/fiber/v2) (internal/dom → orders-app/internal/api → github.com/gofiber/fiber/v2)"},
		},
		{
			name:    "the standard library only",
			doc:     "The package uses only the standard library.",
			imports: []string{"fmt", "github.com/google/uuid"},
			want:    []string{"imports github.com/google/uuid, outside the standard library"},
		},
		{
			name: "wordings the checker does not read",
			doc: "It must never import any app. The package does not import internal/wrap.\n\n" +
				"It imports no driver. It must not import the store. Must not import cmd.\n\n" +
				"It must not import any app and any adapter. It must not depend on cmd.",
			want: []string{
				`"It must never import any app.": write an import rule as "… must not import …"`,
				`"The package does not import internal/wrap.": write`,
				`"It imports no driver.": write`,
				`"It must not import the store.": "the store" is neither a path nor`,
				`"Must not import cmd.": write`,
				`"It must not import any app and any adapter.": "any app and any adapter" is neither a path nor "any app", "any adapter" or "anything of the module"`,
				`"It must not depend on cmd.": write`,
			},
		},
		{
			name:    "anything of the module",
			doc:     "The package must not import anything of the module.",
			imports: []string{"fmt", "internal/plain"},
			want:    []string{"imports internal/plain (anything of the module) (internal/dom → internal/plain)"},
		},
		{
			name:    "a term that names nothing",
			doc:     "It must not import internal/nosuch or github.com/nosuch/lib.",
			imports: []string{"internal/plain"},
			want:    []string{"internal/nosuch names no package of the build", "github.com/nosuch/lib names no package of the build"},
		},
		{
			name: "an empty list",
			doc:  "It must not import .",
			want: []string{"an empty term"},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, problems := check(c.doc, c.imports...)
			if len(problems) != len(c.want) {
				t.Fatalf("got %d problems, want %d:\n%s", len(problems), len(c.want), strings.Join(problems, "\n"))
			}
			for i, want := range c.want {
				if !strings.HasPrefix(problems[i], "internal/dom: ") || !strings.Contains(problems[i], want) {
					t.Errorf("problem %d = %s\nwant it to contain %s", i, problems[i], want)
				}
			}
		})
	}
}

func TestCheckPassesRulesThatHold(t *testing.T) {
	doc := "Package dom.\n\n" +
		"The package uses only the standard library and must not import any app,\nany adapter or internal/wrap.\n\n" +
		"Examples are not read:\n\n\tIt must never import internal/plain.\n"
	rules, problems := check(doc, "fmt", "net")
	if len(problems) > 0 {
		t.Fatalf("problems in a tree that keeps its rules:\n%s", strings.Join(problems, "\n"))
	}
	if rules != 2 {
		t.Errorf("rules = %d, want 2", rules)
	}
}

// The rules of an app's own packages hold other apps too, and the apps are
// everything outside internal/.
func TestAnyAppIsEverythingOutsideInternal(t *testing.T) {
	imps := map[string][]string{"internal/dom": {"cmd/tool"}, "orders-app/internal/x": {"internal/dom", "orders-app/internal/api"}}
	for k, v := range world {
		imps[k] = v
	}
	docs := map[string]string{"orders-app/internal/x": "It must not import any app."}
	_, problems := synthetic(docs, imps).Check()
	want := []string{
		"orders-app/internal/x: \"It must not import any app.\" is broken: it imports cmd/tool (any app) (orders-app/internal/x → internal/dom → cmd/tool)",
		"orders-app/internal/x: \"It must not import any app.\" is broken: it imports orders-app/internal/api (any app) (orders-app/internal/x → orders-app/internal/api)",
	}
	if !slices.Equal(problems, want) {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(problems, "\n"), strings.Join(want, "\n"))
	}
}

func TestGenerated(t *testing.T) {
	for _, c := range []struct {
		src  string
		want bool
	}{
		{"// Code generated by swaggo/swag. DO NOT EDIT.\npackage docs\n", true},
		{"// Code generated by swaggo/swag. DO NOT EDIT.\n\n// Package docs.\npackage docs\n", true},
		{"// Package docs Code generated by swaggo/swag. DO NOT EDIT\npackage docs\n", false},
		{"// Package docs holds the specs.\npackage docs\n", false},
	} {
		got, err := Generated("x_docs.go", []byte(c.src))
		if err != nil {
			t.Fatal(err)
		}
		if got != c.want {
			t.Errorf("Generated(%q) = %v, want %v", c.src, got, c.want)
		}
	}
}
