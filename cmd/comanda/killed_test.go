package main

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/comanda-dev/comanda/internal/testkit"
)

// TestEmbeddedRunSurvivesKill9 runs the embedded system as a real process on
// a data folder, kills it with SIGKILL at several moments of a burst (while
// orders are being placed and published, while the kitchen and the
// warehouse work, while it recovers from the previous kill), starts it again
// on the same folder each time, and checks that every order was served
// exactly once.
func TestEmbeddedRunSurvivesKill9(t *testing.T) {
	bin := testkit.Build(t, "cmd/comanda")["cmd/comanda"]
	dataDir := filepath.Join(t.TempDir(), "data")
	ordersAddr, kitchenAddr, inventoryAddr := testkit.FreeAddr(t), testkit.FreeAddr(t), testkit.FreeAddr(t)
	password, webAddr := testkit.RandomHex(8), testkit.FreeAddr(t)
	env := testkit.EmbeddedEnv([]string{
		"DATA_DIR=" + dataDir,
		"ORDERS_ADDR=" + ordersAddr, "KITCHEN_ADDR=" + kitchenAddr, "INVENTORY_ADDR=" + inventoryAddr,
		"WEB_ADDR=" + webAddr, "MARKET_ADDR=" + testkit.FreeAddr(t),
		"MANAGER_PASSWORD=" + password,
		"RECLAIM_IDLE=1s", "SHUTDOWN_TIMEOUT=5s", "LOG_LEVEL=warn",
		"COOK_TIME=5ms", "MARKET_SEED=42", "MARKET_MAX=5",
		"MARKET_RETRY_MIN=2ms", "MARKET_RETRY_MAX=50ms",
	})
	h := &harness{t: t, orders: "http://" + ordersAddr, kitchen: "http://" + kitchenAddr, invent: "http://" + inventoryAddr}
	// The embedded run keeps its sessions in its in-process Redis, which
	// logs only the streams: each start begins logged out.
	start := func() *process {
		p := startProcessEnv(t, bin, env, ordersAddr)
		waitReady(t, kitchenAddr, inventoryAddr)
		h.token = loginThrough(t, "http://"+webAddr, password)
		return p
	}
	const burst = 150
	var ids []string
	kill := func(p *process, moment string) {
		s := h.stats()
		p.kill()
		t.Logf("killed %s: %d orders acknowledged, %d delivered just before", moment, len(ids), s.ByStatus["delivered"])
		if s.ByStatus["delivered"] >= len(ids) {
			t.Errorf("killed %s, but every order was already delivered: the kill tests nothing", moment)
		}
	}

	// 1. While orders are being placed and published: one request is
	// answered, the next is cut off by the kill (its orders may or may not
	// have been stored; if they were, they must be served too).
	run := start()
	ids = append(ids, h.place(burst)...)
	cut := make(chan []string, 1)
	go func() { cut <- h.tryPlace(burst) }()
	time.Sleep(time.Duration(rand.IntN(20)) * time.Millisecond)
	run.kill()
	ids = append(ids, <-cut...)
	t.Logf("killed while placing: %d orders acknowledged", len(ids))

	// 2. While the kitchen and the warehouse work.
	run = start()
	ids = append(ids, h.place(burst)...)
	h.waitDelivered(len(ids) / 3)
	kill(run, "while cooking")

	// 3. While it recovers from that: redeliveries and reclaims in flight,
	// a burst three times the others on top, killed once a sixth of it
	// is delivered (a moment set by progress, not by a clock).
	run = start()
	before := len(ids)
	ids = append(ids, h.place(3*burst)...)
	h.waitDelivered(before + burst/2)
	kill(run, "while recovering")

	restarted := time.Now()
	start()
	ready := time.Since(restarted)
	all := h.allOrders()
	for _, id := range ids {
		if _, ok := all[id]; !ok {
			t.Errorf("acknowledged order %s is missing", id)
		}
	}
	final := h.waitDone(len(all), 3*time.Minute)
	drained := time.Since(restarted)
	t.Logf("%d dishes; after the last restart: ready in %s, every order done in %s", len(all), ready.Round(time.Millisecond), drained.Round(time.Millisecond))

	if n := final.ByStatus["failed"]; n != 0 {
		t.Errorf("%d orders failed", n)
	}
	var dls struct{ DeadLetters []json.RawMessage }
	h.do("GET", h.orders+"/api/v1/dead-letters", nil, &dls)
	if len(dls.DeadLetters) != 0 {
		t.Errorf("%d dead letters: %s", len(dls.DeadLetters), dls.DeadLetters[0])
	}
	everyOrder := make([]string, 0, len(all))
	for id := range all {
		everyOrder = append(everyOrder, id)
	}
	h.checkServedExactlyOnce(everyOrder)
	if tickets := h.deliveredTickets(); len(tickets) != len(all) {
		t.Errorf("%d delivered tickets for %d orders", len(tickets), len(all))
	}
}

// tryPlace places quantity dishes and returns their ids, or nothing when the
// request fails (the process was killed under it).
func (h *harness) tryPlace(quantity int) []string {
	body, _ := json.Marshal(map[string]int{"quantity": quantity})
	req, _ := http.NewRequest("POST", h.orders+"/api/v1/orders", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+h.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil
	}
	defer resp.Body.Close()
	var p struct{ OrderIDs []string }
	if resp.StatusCode != 202 || json.NewDecoder(resp.Body).Decode(&p) != nil {
		return nil
	}
	return p.OrderIDs
}

func waitReady(t *testing.T, addrs ...string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for _, addr := range addrs {
		for {
			resp, err := http.Get("http://" + addr + "/ready")
			if err == nil {
				resp.Body.Close()
				if resp.StatusCode == 200 {
					break
				}
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s not ready within 30s", addr)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
}
