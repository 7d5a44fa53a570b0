package archtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"go/parser"
	"go/token"
	"io"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
)

// drivers are the roots of the store and transport drivers: what makes a
// package an adapter.
var drivers = []string{
	"github.com/jackc/pgx",
	"modernc.org/sqlite",
	"go.mongodb.org/mongo-driver",
	"github.com/redis/go-redis",
	"github.com/alicebob/miniredis",
	"github.com/gofiber",
	"github.com/valyala/fasthttp",
	"github.com/fasthttp",
	"net/http",
}

// A Package is what the checks know of one package of the build, as go list
// tells it.
type Package struct {
	ImportPath string
	Dir        string
	GoFiles    []string
	Imports    []string
	Deps       []string
	Standard   bool
	Doc        string // the package doc, every file's, read from GoFiles
}

// A Tree is the module's packages and everything they depend on.
type Tree struct {
	Module   string              // the module's path
	Dir      string              // the module's root directory
	Packages map[string]*Package // by import path
}

// Load lists the packages of the module that holds dir, and their
// dependencies, and reads the module's package docs.
func Load(dir string) (*Tree, error) {
	gomod, err := goCmd(dir, "env", "GOMOD")
	if err != nil {
		return nil, err
	}
	gomod = bytes.TrimSpace(gomod)
	if len(gomod) == 0 || string(gomod) == "/dev/null" {
		return nil, fmt.Errorf("%s is in no module", dir)
	}
	root := filepath.Dir(string(gomod))
	module, err := goCmd(root, "list", "-m")
	if err != nil {
		return nil, err
	}
	out, err := goCmd(root, "list", "-deps", "-json=ImportPath,Dir,GoFiles,Imports,Deps,Standard", "./...")
	if err != nil {
		return nil, err
	}
	t := &Tree{Module: string(bytes.TrimSpace(module)), Dir: root, Packages: map[string]*Package{}}
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p Package
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return nil, fmt.Errorf("reading go list: %w", err)
		}
		if t.inModule(p.ImportPath) {
			if p.Doc, err = readDoc(p.Dir, p.GoFiles); err != nil {
				return nil, err
			}
		}
		t.Packages[p.ImportPath] = &p
	}
	return t, nil
}

func goCmd(dir string, args ...string) ([]byte, error) {
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go %s: %w: %s", strings.Join(args, " "), err, stderr.Bytes())
	}
	return out, nil
}

// readDoc returns the doc comments of files, one after the other.
func readDoc(dir string, files []string) (string, error) {
	var docs []string
	fset := token.NewFileSet()
	for _, name := range files {
		f, err := parser.ParseFile(fset, filepath.Join(dir, name), nil, parser.PackageClauseOnly|parser.ParseComments)
		if err != nil {
			return "", fmt.Errorf("reading the package doc: %w", err)
		}
		if f.Doc != nil {
			docs = append(docs, f.Doc.Text())
		}
	}
	return strings.Join(docs, "\n"), nil
}

// Check reads the doc of every package of the module and returns how many
// rules it states and everything wrong: rules broken, rules that cannot be
// read, terms that name nothing.
func (t *Tree) Check() (rules int, problems []string) {
	adapters := t.adapters()
	for _, p := range t.modulePackages() {
		rs, errs := ParseDoc(p.Doc)
		for _, err := range errs {
			problems = append(problems, fmt.Sprintf("%s: %v", t.short(p.ImportPath), err))
		}
		for _, r := range rs {
			rules++
			problems = append(problems, t.checkRule(p, r, adapters)...)
		}
	}
	return rules, problems
}

func (t *Tree) checkRule(p *Package, r Rule, adapters map[string]bool) []string {
	where := fmt.Sprintf("%s: %q", t.short(p.ImportPath), r.Text)
	if r.StdOnly {
		var out []string
		for _, chain := range t.reach(p.ImportPath, func(dep string) bool { return !t.Packages[dep].Standard }) {
			out = append(out, fmt.Sprintf("%s is broken: it imports %s, outside the standard library (%s)", where, t.short(chain[len(chain)-1]), t.chain(chain)))
		}
		return out
	}
	match := map[string]func(string) bool{}
	var out []string
	for _, term := range r.Forbid {
		m, err := t.matcher(term, adapters)
		if err != nil {
			out = append(out, fmt.Sprintf("%s: %v", where, err))
			continue
		}
		match[term] = m
	}
	termOf := func(dep string) string {
		for _, term := range r.Forbid {
			if m := match[term]; m != nil && m(dep) {
				return term
			}
		}
		return ""
	}
	for _, chain := range t.reach(p.ImportPath, func(dep string) bool { return termOf(dep) != "" }) {
		dep := chain[len(chain)-1]
		out = append(out, fmt.Sprintf("%s is broken: it imports %s (%s) (%s)", where, t.short(dep), termOf(dep), t.chain(chain)))
	}
	return out
}

// matcher returns what term forbids.
func (t *Tree) matcher(term string, adapters map[string]bool) (func(string) bool, error) {
	switch term {
	case AnyApp:
		return func(dep string) bool {
			return t.inModule(dep) && !under(dep, t.Module+"/internal")
		}, nil
	case AnyAdapter:
		return func(dep string) bool { return adapters[dep] }, nil
	case AnyModule:
		return t.inModule, nil
	}
	for _, root := range []string{t.Module + "/" + term, term} {
		for dep := range t.Packages {
			if under(dep, root) && (root == term || t.inModule(dep)) {
				return func(dep string) bool { return under(dep, root) }, nil
			}
		}
	}
	return nil, fmt.Errorf("%s names no package of the build", term)
}

// adapters returns the drivers' packages and every package of the module
// that depends on one.
func (t *Tree) adapters() map[string]bool {
	isDriver := func(path string) bool {
		return slices.ContainsFunc(drivers, func(root string) bool { return under(path, root) })
	}
	out := map[string]bool{}
	for path, p := range t.Packages {
		if isDriver(path) || t.inModule(path) && slices.ContainsFunc(p.Deps, isDriver) {
			out[path] = true
		}
	}
	return out
}

// reach returns, for every package that from imports (directly or not) and
// bad holds for, the shortest chain of imports to it, from included; the
// search does not go past such a package, so that one offending import is
// reported once rather than with everything it brings along.
func (t *Tree) reach(from string, bad func(string) bool) [][]string {
	parent := map[string]string{from: ""}
	queue := []string{from}
	var found []string
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		p := t.Packages[cur]
		if p == nil {
			continue
		}
		for _, imp := range p.Imports {
			if _, seen := parent[imp]; seen || t.Packages[imp] == nil {
				continue
			}
			parent[imp] = cur
			if bad(imp) {
				found = append(found, imp)
				continue
			}
			queue = append(queue, imp)
		}
	}
	slices.Sort(found)
	var chains [][]string
	for _, dep := range found {
		var chain []string
		for at := dep; at != ""; at = parent[at] {
			chain = append(chain, at)
		}
		slices.Reverse(chain)
		chains = append(chains, chain)
	}
	return chains
}

func (t *Tree) chain(chain []string) string {
	short := make([]string, len(chain))
	for i, p := range chain {
		short[i] = t.short(p)
	}
	return strings.Join(short, " → ")
}

func (t *Tree) modulePackages() []*Package {
	var out []*Package
	for path, p := range t.Packages {
		if t.inModule(path) {
			out = append(out, p)
		}
	}
	slices.SortFunc(out, func(a, b *Package) int { return strings.Compare(a.ImportPath, b.ImportPath) })
	return out
}

func (t *Tree) inModule(path string) bool { return under(path, t.Module) }

// short writes the module's paths relative to it.
func (t *Tree) short(path string) string {
	if rel, ok := strings.CutPrefix(path, t.Module+"/"); ok {
		return rel
	}
	return path
}

// under reports whether path is root or a package under it.
func under(path, root string) bool {
	return path == root || strings.HasPrefix(path, root+"/")
}
