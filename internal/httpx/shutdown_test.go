package httpx_test

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/comanda-dev/comanda/internal/httpx"
)

// A connection that never sends a request (a client's spare) must not hold
// a shutdown past its grace.
func TestShutdownIsNotHeldByASilentConnection(t *testing.T) {
	app := httpx.New(httpx.Options{Service: "test"})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- httpx.ServeListener(ctx, app, ln, 300*time.Millisecond) }()
	silent, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	time.Sleep(100 * time.Millisecond) // accepted, reading its first request
	start := time.Now()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("shutdown: %v", err)
		}
		if d := time.Since(start); d > 3*time.Second {
			t.Errorf("shutdown took %s with a grace of 300ms", d)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a silent connection holds the shutdown")
	}
}
