package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// binaries is the folder the programs were built into, once per invocation,
// so that every run measures the same code and no `go run` sits between a
// PID and the program it stands for.
type binaries string

// packages are the programs a benchmark starts, built as the last element
// of their path.
var packages = []string{"./cmd/comanda", "./cmd/market", "./cmd/loadgen", "./orders-app", "./kitchen-app", "./inventory-app", "./web"}

// build builds the programs into a fresh temporary folder; remove deletes
// it.
func build(root string) (bins binaries, remove func(), err error) {
	dir, err := os.MkdirTemp("", "comanda-bench-bin-")
	if err != nil {
		return "", nil, err
	}
	remove = func() { _ = os.RemoveAll(dir) }
	args := append([]string{"build", "-o", dir + string(filepath.Separator)}, packages...)
	cmd := exec.Command("go", args...)
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		remove()
		return "", nil, fmt.Errorf("building %v: %w\n%s", packages, err, out)
	}
	return binaries(dir), remove, nil
}

func (b binaries) path(name string) string { return filepath.Join(string(b), name) }
