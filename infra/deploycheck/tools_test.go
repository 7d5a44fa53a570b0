package deploycheck

import (
	"context"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// actionlint is run from the Go module proxy, outside this module's
// requirements (its YAML library conflicts with compose-go's).
const actionlint = "github.com/rhysd/actionlint/cmd/actionlint@v1.7.12"

// run runs a command from the repository root and returns its output.
func run(t testing.TB, name string, args ...string) ([]byte, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = root(t)
	return cmd.CombinedOutput()
}

// TestActionlint lints the workflows; shellcheck, when installed, checks
// their scripts too.
func TestActionlint(t *testing.T) {
	workflows, err := filepath.Glob(filepath.Join(root(t), ".github", "workflows", "*.yml"))
	if err != nil || len(workflows) == 0 {
		t.Fatalf("no workflows in .github/workflows (%v)", err)
	}
	args := []string{"run", actionlint}
	for _, w := range workflows {
		rel, err := filepath.Rel(root(t), w)
		if err != nil {
			t.Fatal(err)
		}
		args = append(args, filepath.ToSlash(rel))
	}
	if _, err := exec.LookPath("shellcheck"); err != nil {
		t.Log("shellcheck is not installed: actionlint checks the workflows without linting their scripts")
	}
	out, err := run(t, "go", args...)
	if err != nil {
		t.Fatalf("actionlint found problems (%v):\n%s", err, out)
	}
}
