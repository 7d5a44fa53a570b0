package streamlog

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/comanda-dev/comanda/"

// forbidden returns the imports the package doc rules out: anything of this
// module (an app or a shared package of the pipeline).
func forbidden(imports []string) []string {
	var bad []string
	for _, p := range imports {
		if strings.HasPrefix(p, module) {
			bad = append(bad, p)
		}
	}
	return bad
}

func TestImportsNothingOfTheModule(t *testing.T) {
	if bad := forbidden([]string{"context", module + "orders-app/app", module + "internal/events"}); len(bad) != 2 {
		t.Fatalf("the rule lets %v through", bad)
	}
	files, err := filepath.Glob("*.go")
	if err != nil || len(files) == 0 {
		t.Fatalf("listing the package: %v", err)
	}
	for _, name := range files {
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		var imports []string
		for _, im := range f.Imports {
			p, _ := strconv.Unquote(im.Path.Value)
			imports = append(imports, p)
		}
		if bad := forbidden(imports); len(bad) > 0 {
			t.Errorf("%s imports %v", name, bad)
		}
	}
}
