package market_test

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/comanda-dev/comanda/inventory-app/internal/market"
)

// droppingMarket answers the first request of every connection and keeps the
// connection open; it reads the second one, counts it, and hangs up without
// answering, as a market that crashed mid-call would. A client that sends a
// request again after such a drop buys twice.
type droppingMarket struct {
	ln   net.Listener
	hits atomic.Int64
	wg   sync.WaitGroup

	mu    sync.Mutex
	conns []net.Conn
}

func startDroppingMarket(t *testing.T) *droppingMarket {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	m := &droppingMarket{ln: ln}
	m.wg.Go(func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			m.mu.Lock()
			m.conns = append(m.conns, conn)
			m.mu.Unlock()
			m.wg.Go(func() { m.serve(conn) })
		}
	})
	t.Cleanup(func() {
		_ = ln.Close()
		m.mu.Lock()
		for _, c := range m.conns {
			_ = c.Close() // the client keeps its idle connection open
		}
		m.mu.Unlock()
		m.wg.Wait()
	})
	return m
}

func (m *droppingMarket) serve(conn net.Conn) {
	defer conn.Close()
	rd := bufio.NewReader(conn)
	for n := 1; ; n++ {
		req, err := http.ReadRequest(rd)
		if err != nil {
			return
		}
		_, _ = io.Copy(io.Discard, req.Body)
		m.hits.Add(1)
		if n > 1 {
			return // read, never answered
		}
		_, _ = io.WriteString(conn, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 18\r\n\r\n{\"quantitySold\":3}")
	}
}

// A call the market read but never answered is not sent again, not even on
// the fresh connection net/http would otherwise retry an idempotent GET on:
// exactly one request reaches the market per Buy.
func TestABuyIsSentAtMostOnce(t *testing.T) {
	m := startDroppingMarket(t)
	c, err := market.New(market.Config{
		URL: "http://" + m.ln.Addr().String() + "/buy", Timeout: 2 * time.Second, Concurrency: 1,
		BreakerFailures: 100, BreakerCooldown: time.Second, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 3; i++ {
		// Odd calls open a connection and are answered; even ones reuse it
		// and are dropped.
		q, err := c.Buy(context.Background(), "tomato")
		if i%2 == 1 && (err != nil || q != 3) {
			t.Fatalf("call %d: %d, %v; want 3", i, q, err)
		}
		if i%2 == 0 && err == nil {
			t.Fatalf("call %d was answered %d; the market hung up on it", i, q)
		}
		if got := m.hits.Load(); got != int64(i) {
			t.Fatalf("after %d calls the market saw %d requests: a call was sent again", i, got)
		}
	}
}
