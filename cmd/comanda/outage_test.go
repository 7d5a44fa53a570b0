package main

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/comanda-dev/comanda/internal/config"
	"github.com/comanda-dev/comanda/internal/marketsim"
	"github.com/comanda-dev/comanda/internal/testkit"
)

// The fault suite: infrastructure goes away in the middle of a burst, for
// longer than many reclaim idle times, and comes back. Every dish must be
// delivered exactly once, none failed, nothing dead-lettered: an outage is
// never the message's fault.

const outage = 30 * time.Second

// faultSettings are short reclaim settings, so that a consumer that counted
// outage failures as deliveries would dead-letter within the outage.
func faultSettings(cfg *Config) {
	for _, c := range []*config.Common{&cfg.Orders.Common, &cfg.Kitchen.Common, &cfg.Inventory.Common} {
		c.ReclaimIdle = time.Second
		c.MaxDeliveries = 2
	}
}

// viaProxy rewrites a URL's host to the proxy's address.
func viaProxy(t *testing.T, raw string, p *testkit.Proxy) string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	u.Host = p.Addr()
	return u.String()
}

func hostOf(t *testing.T, raw string) string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u.Host
}

func TestPostgresOutageMidBurst(t *testing.T) {
	var proxy *testkit.Proxy
	h := startSystem(t, setup{realServices: true, market: marketsim.Config{MaxQuantity: 5, Seed: 42}, tune: func(cfg *Config) {
		faultSettings(cfg)
		proxy = testkit.StartProxy(t, hostOf(t, cfg.Orders.DatabaseURL))
		cfg.Orders.DatabaseURL = viaProxy(t, cfg.Orders.DatabaseURL, proxy)
		cfg.Kitchen.DatabaseURL = viaProxy(t, cfg.Kitchen.DatabaseURL, proxy)
	}})
	var ids []string
	for range 4 {
		ids = append(ids, h.place(100)...)
	}
	h.waitDelivered(40)
	proxy.Cut()
	cut := time.Now()
	h.expectUnready(h.orders, h.kitchen)
	time.Sleep(outage - time.Since(cut))
	proxy.Restore()
	restored := time.Now()
	s := h.waitDone(len(ids), 3*time.Minute)
	t.Logf("PostgreSQL away %s mid-burst: %d dishes, drained %s after it came back, %d failed, %d dead letters",
		outage, len(ids), time.Since(restored).Round(10*time.Millisecond), s.ByStatus["failed"], h.deadLetters())
	h.expectReady(h.orders, h.kitchen)
	h.checkServedExactlyOnce(ids)
	h.checkNoDeadLetters()
	h.logBooks()
}

func TestRedisOutageMidBurst(t *testing.T) {
	var proxy *testkit.Proxy
	h := startSystem(t, setup{realServices: true, market: marketsim.Config{MaxQuantity: 5, Seed: 42}, tune: func(cfg *Config) {
		faultSettings(cfg)
		proxy = testkit.StartProxy(t, hostOf(t, cfg.Orders.RedisURL))
		via := viaProxy(t, cfg.Orders.RedisURL, proxy)
		cfg.Orders.RedisURL, cfg.Kitchen.RedisURL, cfg.Inventory.RedisURL = via, via, via
	}})
	var ids []string
	for range 4 {
		ids = append(ids, h.place(100)...)
	}
	h.waitDelivered(40)
	proxy.Cut()
	cut := time.Now()
	// Placing still works: the orders wait in orders-app's outbox.
	ids = append(ids, h.place(100)...)
	h.expectUnready(h.orders, h.kitchen, h.invent)
	time.Sleep(outage - time.Since(cut))
	proxy.Restore()
	restored := time.Now()
	s := h.waitDone(len(ids), 3*time.Minute)
	t.Logf("Redis away %s mid-burst: %d dishes, drained %s after it came back, %d failed, %d dead letters",
		outage, len(ids), time.Since(restored).Round(10*time.Millisecond), s.ByStatus["failed"], h.deadLetters())
	h.expectReady(h.orders, h.kitchen, h.invent)
	h.checkServedExactlyOnce(ids)
	h.checkNoDeadLetters()
	h.logBooks()
}

// expectUnready waits until every service's /ready says 503.
func (h *harness) expectUnready(bases ...string) {
	h.t.Helper()
	for _, b := range bases {
		h.waitReady(b, http.StatusServiceUnavailable)
	}
}

func (h *harness) expectReady(bases ...string) {
	h.t.Helper()
	for _, b := range bases {
		h.waitReady(b, http.StatusOK)
	}
}

func (h *harness) waitReady(base string, want int) {
	h.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	got := 0
	for time.Now().Before(deadline) {
		resp, err := http.Get(base + "/ready")
		if err == nil {
			got = resp.StatusCode
			resp.Body.Close()
			if got == want {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	h.t.Errorf("%s/ready answers %d, want %d", base, got, want)
}

func (h *harness) deadLetters() int64 {
	n, err := h.rdb.XLen(context.Background(), h.streams.DeadLetter).Result()
	if err != nil {
		h.t.Fatal(err)
	}
	return n
}

func (h *harness) checkNoDeadLetters() {
	h.t.Helper()
	if n := h.deadLetters(); n != 0 {
		h.t.Errorf("%d messages dead-lettered, want none", n)
	}
}

// logBooks reports units bought against units the delivered dishes needed
// beyond the initial stock.
func (h *harness) logBooks() {
	var bought, needed int
	for _, l := range h.inventory() {
		bought += l.Bought
		needed += max(l.Consumed-l.Initial, 0)
	}
	h.t.Logf("units bought %d, needed beyond the initial stock %d", bought, needed)
}
