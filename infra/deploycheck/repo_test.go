package deploycheck

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
)

var (
	rootOnce sync.Once
	rootDir  string
	rootErr  error
)

// root is the repository root: the directory holding go.mod.
func root(t testing.TB) string {
	t.Helper()
	rootOnce.Do(func() {
		dir, err := os.Getwd()
		if err != nil {
			rootErr = err
			return
		}
		for {
			if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
				rootDir = dir
				return
			}
			parent := filepath.Dir(dir)
			if parent == dir {
				rootErr = os.ErrNotExist
				return
			}
			dir = parent
		}
	})
	if rootErr != nil {
		t.Fatalf("finding the repository root (go.mod): %v", rootErr)
	}
	return rootDir
}

// read returns a file of the repository, by its path from the root.
func read(t testing.TB, rel string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root(t), filepath.FromSlash(rel)))
	if err != nil {
		t.Fatalf("reading %s: %v", rel, err)
	}
	return string(b)
}

func exists(t testing.TB, rel string) bool {
	t.Helper()
	_, err := os.Stat(filepath.Join(root(t), filepath.FromSlash(rel)))
	return err == nil
}

// secretName matches variable names that hold credentials whatever their
// tags say.
var secretName = regexp.MustCompile(`(?i)(PASSWORD|SECRET|TOKEN|_KEY)(_HASH)?$`)

// loopback reports whether a default value points at the loopback
// interface.
func loopback(v string) bool {
	return strings.Contains(v, "127.0.0.1") || strings.Contains(v, "localhost") || strings.Contains(v, "[::1]")
}

// problems collects what a check found, to report them all at once.
type problems []string

func (p *problems) addf(format string, args ...any) {
	*p = append(*p, fmt.Sprintf(format, args...))
}

func (p problems) report(t testing.TB, what string) {
	t.Helper()
	for _, s := range p {
		t.Errorf("%s: %s", what, s)
	}
}
