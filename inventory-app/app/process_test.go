package app_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/comanda-dev/comanda/internal/testkit"
)

// Real processes, for tests that kill them: built binaries with their own
// environment, stopped with SIGTERM at the end of the test (SIGKILL if they
// do not stop), their output shown when the test fails.

type process struct {
	t    *testing.T
	name string
	addr string
	cmd  *exec.Cmd
	out  *testkit.Logs
	once sync.Once
	done chan struct{}
}

// startProcess runs bin with env and waits until its /ready answers 200.
func startProcess(t *testing.T, name, bin string, env []string, addr string) *process {
	t.Helper()
	p := &process{t: t, name: name, addr: addr, cmd: exec.Command(bin), out: &testkit.Logs{}, done: make(chan struct{})}
	p.cmd.Env = append(os.Environ(), env...)
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { _ = p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		p.signal(syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(20 * time.Second):
			p.kill()
		}
		if t.Failed() {
			t.Logf("%s output:\n%s", name, tail(p.out.String(), 6000))
		}
	})
	deadline := time.Now().Add(60 * time.Second)
	for {
		if status, _ := p.ready(); status == 200 {
			return p
		}
		select {
		case <-p.done:
			t.Fatalf("%s exited at start:\n%s", name, p.out.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s not ready within a minute:\n%s", name, p.out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// ready returns the status of /ready and the role it notes.
func (p *process) ready() (int, string) {
	c := http.Client{Timeout: 2 * time.Second}
	resp, err := c.Get("http://" + p.addr + "/ready")
	if err != nil {
		return 0, ""
	}
	defer resp.Body.Close()
	var r struct {
		Notes map[string]string `json:"notes"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&r)
	return resp.StatusCode, r.Notes["role"]
}

func (p *process) role() string { _, r := p.ready(); return r }

func (p *process) signal(sig syscall.Signal) {
	if p.cmd.Process != nil {
		_ = p.cmd.Process.Signal(sig)
	}
}

// kill stops the process at once, as a crash would.
func (p *process) kill() {
	p.once.Do(func() {
		p.signal(syscall.SIGKILL)
		<-p.done
	})
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}

func postJSON(t *testing.T, url, body string, v any) {
	t.Helper()
	status, b := testkit.Do(t, "POST", url, body, http.Header{"Content-Type": {"application/json"}})
	if status/100 != 2 {
		t.Fatalf("POST %s: %d %s", url, status, b)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatal(fmt.Errorf("POST %s: %w", url, err))
	}
}
