package gateway

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"testing"
)

// droppingUpstream answers HTTP/1.1 by hand and drops the connection, without
// a word, on the first request of each method listed in drop: a service that
// stored a placement and died before answering, or a connection cut on the
// way back. It counts every request it read.
type droppingUpstream struct {
	ln   net.Listener
	mu   sync.Mutex
	hits map[string]int
	keys []string // the Idempotency-Key of every POST
	drop map[string]bool
}

func newDroppingUpstream(t *testing.T, drop ...string) *droppingUpstream {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	u := &droppingUpstream{ln: ln, hits: map[string]int{}, drop: map[string]bool{}}
	for _, m := range drop {
		u.drop[m] = true
	}
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go u.serve(conn)
		}
	}()
	return u
}

func (u *droppingUpstream) serve(conn net.Conn) {
	defer conn.Close()
	br := bufio.NewReader(conn)
	for {
		req, err := http.ReadRequest(br)
		if err != nil {
			return
		}
		_, _ = io.Copy(io.Discard, req.Body)
		u.mu.Lock()
		u.hits[req.Method]++
		if req.Method == http.MethodPost {
			u.keys = append(u.keys, req.Header.Get("Idempotency-Key"))
		}
		dropNow := u.drop[req.Method] && u.hits[req.Method] == 1
		u.mu.Unlock()
		if dropNow {
			return
		}
		body := `{"batchId":"b1"}`
		if _, err := fmt.Fprintf(conn, "HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", len(body), body); err != nil {
			return
		}
	}
}

func (u *droppingUpstream) count(method string) int {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.hits[method]
}

func (u *droppingUpstream) url() string { return "http://" + u.ln.Addr().String() }

func TestGatewayNeverResendsAPlacement(t *testing.T) {
	up := newDroppingUpstream(t, http.MethodPost)
	r := newRigTo(t, up.url())
	c := r.browser(password)
	key := http.Header{"Idempotency-Key": {"3f1c2a7e-9b7d-4e59-8a53-2d6f0c1b9e44"}}
	status, body := r.call(c, "POST", "/api/orders/orders", `{"quantity":3}`, key)
	if status != http.StatusBadGateway || errorCode(body) != "service_unavailable" {
		t.Errorf("dropped placement answered %d %v, want 502 service_unavailable", status, body)
	}
	if n := up.count(http.MethodPost); n != 1 {
		t.Fatalf("the service got the placement %d times, want exactly 1", n)
	}
	// The client's own retry, with the same key, goes through once.
	if status, _ := r.call(c, "POST", "/api/orders/orders", `{"quantity":3}`, key); status != http.StatusAccepted {
		t.Errorf("retry answered %d", status)
	}
	if n := up.count(http.MethodPost); n != 2 {
		t.Errorf("the service got %d placements after one retry, want 2", n)
	}
	up.mu.Lock()
	defer up.mu.Unlock()
	for i, k := range up.keys {
		if k != key.Get("Idempotency-Key") {
			t.Errorf("placement %d reached the service with Idempotency-Key %q", i, k)
		}
	}
}

func TestGatewayResendsAReadOnce(t *testing.T) {
	up := newDroppingUpstream(t, http.MethodGet)
	r := newRigTo(t, up.url())
	c := r.browser(password)
	if status, body := r.call(c, "GET", "/api/orders/orders/stats", "", nil); status != http.StatusAccepted {
		t.Errorf("read over a dropped connection answered %d %v, want the second try's answer", status, body)
	}
	if n := up.count(http.MethodGet); n != 2 {
		t.Errorf("the service got the read %d times, want 2", n)
	}
}
