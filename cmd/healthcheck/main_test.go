package main

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// serve answers path with status on the loopback interface and returns the
// port.
func serve(t *testing.T, path string, status int, delay time.Duration) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != path {
			http.NotFound(w, r)
			return
		}
		time.Sleep(delay)
		w.WriteHeader(status)
	}))
	t.Cleanup(srv.Close)
	u, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	return u.Port()
}

func TestProbe(t *testing.T) {
	healthy := serve(t, "/health", http.StatusOK, 0)
	failing := serve(t, "/health", http.StatusServiceUnavailable, 0)
	ready := serve(t, "/ready", http.StatusNoContent, 0)
	garbage := rawServer(t, "SSH-2.0-OpenSSH\r\n")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := strings.TrimPrefix(ln.Addr().String(), "127.0.0.1:")
	ln.Close()

	for _, tc := range []struct {
		name   string
		args   []string
		want   int
		stderr string
	}{
		{"2xx is healthy", []string{healthy}, 0, ""},
		{"explicit path", []string{healthy, "/health"}, 0, ""},
		{"other path", []string{ready, "/ready"}, 0, ""},
		{"404 on the wrong path", []string{healthy, "/nope"}, 1, "404"},
		{"5xx is unhealthy", []string{failing}, 1, "503"},
		{"not HTTP", []string{garbage}, 1, "not an HTTP response"},
		{"nothing listening", []string{closed}, 1, "connection refused"},
		{"no arguments", nil, 1, "usage"},
		{"port not a number", []string{"http"}, 1, "port must be"},
		{"port out of range", []string{"70000"}, 1, "port must be"},
		{"relative path", []string{healthy, "health"}, 1, "path must start"},
		{"path with a line break", []string{healthy, "/health\r\nX: y"}, 1, "path must start"},
		{"too many arguments", []string{healthy, "/health", "x"}, 1, "usage"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stderr bytes.Buffer
			if got := run(context.Background(), tc.args, &stderr); got != tc.want {
				t.Errorf("exit code %d, want %d (stderr %q)", got, tc.want, stderr.String())
			}
			if !strings.Contains(stderr.String(), tc.stderr) {
				t.Errorf("stderr %q does not mention %q", stderr.String(), tc.stderr)
			}
		})
	}
}

func TestProbeGivesUpOnASlowService(t *testing.T) {
	slow := serve(t, "/health", http.StatusOK, timeout+time.Second)
	start := time.Now()
	var stderr bytes.Buffer
	if got := run(context.Background(), []string{slow}, &stderr); got != 1 {
		t.Fatalf("exit code %d, want 1", got)
	}
	if waited := time.Since(start); waited > timeout+500*time.Millisecond {
		t.Errorf("waited %s, longer than the %s timeout", waited, timeout)
	}
}

// rawServer answers every connection with reply and returns the port.
func rawServer(t *testing.T, reply string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Write([]byte(reply))
			c.Close()
		}
	}()
	return strings.TrimPrefix(ln.Addr().String(), "127.0.0.1:")
}
