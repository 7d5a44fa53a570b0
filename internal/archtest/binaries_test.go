package archtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
)

// specTools are the roots of what makes and checks the API specs: swag's
// annotation parser and the spec model under it (go-openapi/spec),
// kin-openapi (the OpenAPI 3 converter and validator), and go-openapi's
// Swagger 2.0 loader and validator. They run at make swag time and in the
// tests; a binary serves its specs as the bytes its docs package embeds
// (internal/apidocs), so it links none of them.
var specTools = []string{
	"github.com/swaggo/swag",
	"github.com/go-openapi/spec",
	"github.com/getkin/kin-openapi",
	"github.com/go-openapi/loads",
	"github.com/go-openapi/validate",
}

// specToolBinaries are the module's main packages that may link a spec
// tool, and why. Every other main package is held to linking none, the
// shipped ones (the images' and cmd/comanda) above all; none of these may be
// shipped.
var specToolBinaries = map[string]string{
	"cmd/openapi": "make swag's converter: it turns swag's Swagger 2.0 into OpenAPI 3 with kin-openapi",
}

// alsoShipped are the shipped main packages that no Dockerfile builds.
var alsoShipped = map[string]string{
	"cmd/comanda": "the all-in-one runner (make run, make build)",
}

// swagCommand is swag's own command, a tool of the module (go.mod's tool
// block): a binary that does link swag's parser, for the check to catch.
const swagCommand = "github.com/swaggo/swag/cmd/swag"

// binaryEnv is the build the images make (see the Dockerfiles), so that the
// check lists the dependencies the shipped binaries have.
var binaryEnv = []string{"CGO_ENABLED=0", "GOOS=linux", "GOFLAGS=-mod=readonly"}

// A binaryTree is the module's packages as the images build them, with swag's
// command, and which of them are main packages.
type binaryTree struct {
	*Tree
	mains []string // the module's main packages, by import path
}

var loadBinaries = sync.OnceValues(func() (*binaryTree, error) {
	tree, err := loadModule()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command("go", "list", "-deps", "-json=ImportPath,Name,Imports,Standard", "./...", swagCommand)
	cmd.Dir = tree.Dir
	cmd.Env = append(os.Environ(), binaryEnv...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go list under %s: %w: %s", strings.Join(binaryEnv, " "), err, stderr.Bytes())
	}
	b := &binaryTree{Tree: &Tree{Module: tree.Module, Dir: tree.Dir, Packages: map[string]*Package{}}}
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p struct {
			Package
			Name string
		}
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return nil, fmt.Errorf("reading go list: %w", err)
		}
		b.Packages[p.ImportPath] = &p.Package
		if p.Name == "main" && b.inModule(p.ImportPath) {
			b.mains = append(b.mains, p.ImportPath)
		}
	}
	slices.Sort(b.mains)
	return b, nil
})

func binaries(t *testing.T) *binaryTree {
	t.Helper()
	b, err := loadBinaries()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// linkedSpecTools returns, for every spec tool package main links, the
// shortest chain of imports to it.
func (b *binaryTree) linkedSpecTools(main string) [][]string {
	return b.reach(main, func(dep string) bool {
		return slices.ContainsFunc(specTools, func(root string) bool { return under(dep, root) })
	})
}

// No binary of the module but the spec tools' own links swag's parser,
// kin-openapi or go-openapi's spec packages.
func TestBinariesLinkNoSpecTool(t *testing.T) {
	b := binaries(t)
	if len(b.mains) == 0 {
		t.Fatal("go list found no main package in the module")
	}
	checked := 0
	for _, main := range b.mains {
		if _, tool := specToolBinaries[b.short(main)]; tool {
			continue
		}
		checked++
		for _, chain := range b.linkedSpecTools(main) {
			t.Errorf("%s links %s (%s): a binary serves the specs its docs package embeds; swag, the converter and the validators belong to make swag and the tests",
				b.short(main), b.short(chain[len(chain)-1]), b.chain(chain))
		}
	}
	t.Logf("%d binaries checked, %d spec tools exempt", checked, len(specToolBinaries))
}

// The shipped binaries are main packages the check holds: none of them is
// exempt, and none has moved away from the check.
func TestShippedBinariesAreChecked(t *testing.T) {
	b := binaries(t)
	shipped, err := dockerfileBinaries(b.Dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(shipped) == 0 {
		t.Fatal("no Dockerfile builds a package")
	}
	t.Logf("the Dockerfiles build %v", slices.Sorted(maps.Keys(shipped)))
	for dir, why := range alsoShipped {
		shipped[dir] = append(shipped[dir], why)
	}
	for _, dir := range slices.Sorted(maps.Keys(shipped)) {
		from := strings.Join(shipped[dir], ", ")
		switch {
		case !slices.Contains(b.mains, b.Module+"/"+dir):
			t.Errorf("%s (%s) is no main package of the module", dir, from)
		case specToolBinaries[dir] != "":
			t.Errorf("%s (%s) is shipped, yet exempt as a spec tool", dir, from)
		}
	}
}

// Each exemption names a main package that does link a spec tool: one that
// no longer does is held to the rule like the others.
func TestSpecToolExemptionsAreNeeded(t *testing.T) {
	b := binaries(t)
	for _, dir := range slices.Sorted(maps.Keys(specToolBinaries)) {
		main := b.Module + "/" + dir
		if !slices.Contains(b.mains, main) {
			t.Errorf("%s is exempt but is no main package of the module", dir)
			continue
		}
		if len(b.linkedSpecTools(main)) == 0 {
			t.Errorf("%s is exempt (%s) but links no spec tool: drop the exemption", dir, specToolBinaries[dir])
		}
	}
}

// The check catches a binary that links swag's parser: swag's own command.
func TestSpecToolCheckCatchesSwag(t *testing.T) {
	b := binaries(t)
	chains := b.linkedSpecTools(swagCommand)
	var found []string
	for _, chain := range chains {
		found = append(found, chain[len(chain)-1])
	}
	if !slices.Contains(found, "github.com/swaggo/swag") {
		t.Errorf("%s links %v by the check, not github.com/swaggo/swag", swagCommand, found)
	}
}

var (
	// goBuild matches a go build command of a RUN instruction, up to where
	// the shell command ends.
	goBuild = regexp.MustCompile(`\bgo build\b[^&;|\n]*`)
	// continuation joins a Dockerfile's continued lines.
	continuation = regexp.MustCompile(`\\[ \t]*\r?\n`)
)

// dockerfileBinaries returns the module directories (relative to root) the
// Dockerfiles under root go build, each with the Dockerfiles that do. The
// build context is the module's root, as docker-compose.yaml sets it.
func dockerfileBinaries(root string) (map[string][]string, error) {
	out := map[string][]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != root && (strings.HasPrefix(d.Name(), ".") || d.Name() == "node_modules" || d.Name() == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if name := d.Name(); name != "Dockerfile" && !strings.HasPrefix(name, "Dockerfile.") && !strings.HasSuffix(name, ".Dockerfile") {
			return nil
		}
		src, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		n := 0
		for _, cmd := range goBuild.FindAllString(continuation.ReplaceAllString(string(src), " "), -1) {
			for _, arg := range strings.Fields(cmd) {
				if !strings.HasPrefix(arg, "./") {
					continue
				}
				n++
				dir := filepath.ToSlash(filepath.Clean(arg))
				out[dir] = append(out[dir], rel)
			}
		}
		if n == 0 {
			return fmt.Errorf("%s: no go build of a ./package this check can read", rel)
		}
		return nil
	})
	return out, err
}
