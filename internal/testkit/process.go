package testkit

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// FreeAddr is a loopback address with a port free a moment ago, for a
// process the test starts.
func FreeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// Build builds the module's packages (paths below the module root, such
// as "orders-app" or "cmd/comanda") in one go command and returns each
// package's binary.
func Build(t testing.TB, pkgs ...string) map[string]string {
	t.Helper()
	dir := t.TempDir()
	args := []string{"build", "-o", dir + string(os.PathSeparator)}
	out := map[string]string{}
	for _, p := range pkgs {
		args = append(args, "github.com/comanda-dev/comanda/"+p)
		out[p] = filepath.Join(dir, filepath.Base(p))
	}
	if b, err := exec.Command("go", args...).CombinedOutput(); err != nil {
		t.Fatalf("building %v: %v\n%s", pkgs, err, b)
	}
	return out
}

// EmbeddedEnv is this process's environment without anything that would
// point the embedded run (cmd/comanda) at real servers, another data
// folder or settings of the shell, plus vars.
func EmbeddedEnv(vars []string) []string {
	drop := map[string]bool{}
	for _, v := range append(vars, "REDIS_URL=", "DATABASE_URL=", "MONGO_URL=", "MARKET_URL=", "REDIS_WAIT_REPLICAS=",
		"STREAM_PREFIX=", "APP_ENV=", "AUTH_DISABLED=", "AUTH_PUBLIC_KEYS=", "AUTH_PRIVATE_KEY=", "MANAGER_PASSWORD_HASH=", "PPROF_ADDR=") {
		name, _, _ := strings.Cut(v, "=")
		drop[name] = true
	}
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if !drop[name] {
			env = append(env, kv)
		}
	}
	return append(env, vars...)
}
