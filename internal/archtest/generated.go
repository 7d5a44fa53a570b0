package archtest

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
)

// SwaggerFiles returns the *_docs.go files of the module's docs packages.
func (t *Tree) SwaggerFiles() []string {
	var out []string
	for _, p := range t.modulePackages() {
		if filepath.Base(p.Dir) != "docs" {
			continue
		}
		for _, name := range p.GoFiles {
			if ok, _ := filepath.Match("*_docs.go", name); ok {
				out = append(out, filepath.Join(p.Dir, name))
			}
		}
	}
	return out
}

// Generated reports whether src (read from name) carries Go's
// generated-code header (https://go.dev/s/generatedcode).
func Generated(name string, src []byte) (bool, error) {
	f, err := parser.ParseFile(token.NewFileSet(), name, src, parser.PackageClauseOnly|parser.ParseComments)
	if err != nil {
		return false, fmt.Errorf("reading %s: %w", name, err)
	}
	return ast.IsGenerated(f), nil
}
