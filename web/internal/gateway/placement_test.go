package gateway

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"

	"github.com/comanda-dev/comanda/internal/config"
	"github.com/comanda-dev/comanda/internal/testkit"
	ordersapp "github.com/comanda-dev/comanda/orders-app/app"
)

// startOrders runs a real orders-app on PostgreSQL and Redis that trusts the
// rig's sessions.
func startOrders(t *testing.T, env rigEnv) string {
	t.Helper()
	rdb := env.rdb
	cfg, err := config.Load[ordersapp.Config]()
	if err != nil {
		t.Fatal(err)
	}
	cfg.Addr = "127.0.0.1:0"
	cfg.RedisURL = "redis://" + rdb.Options().Addr
	cfg.StreamPrefix = env.prefix
	cfg.DatabaseURL, cfg.DatabaseSchema = testkit.PostgresSchema(t)
	cfg.AuthPublicKeys = env.keys.Public
	a, err := ordersapp.New(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("orders-app stopped with %v", err)
		}
	})
	return "http://" + a.Addr()
}

func TestIdempotentPlacementThroughTheGateway(t *testing.T) {
	env := newRigEnv(t)
	r := newRigWith(t, env, startOrders(t, env))
	c := r.browser(password)
	key := uuid.NewString()
	const racers = 10
	bodies := make([][]byte, racers)
	statuses := make([]int, racers)
	var wg sync.WaitGroup
	for i := range racers {
		wg.Go(func() {
			req, _ := http.NewRequest("POST", r.base+"/api/orders/orders", strings.NewReader(`{"quantity": 4}`))
			req.Header.Set("Idempotency-Key", key)
			resp, err := c.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			defer resp.Body.Close()
			statuses[i] = resp.StatusCode
			bodies[i], _ = io.ReadAll(resp.Body)
		})
	}
	wg.Wait()
	for i := range racers {
		if statuses[i] != http.StatusAccepted || !bytes.Equal(bodies[i], bodies[0]) {
			t.Errorf("racer %d: %d %s, racer 0: %s", i, statuses[i], bodies[i], bodies[0])
		}
	}
	if status, body := r.call(c, "GET", "/api/orders/orders/stats", "", nil); status != 200 || body["total"] != float64(4) {
		t.Errorf("stats after %d racing retries: %d %v, want 4 orders", racers, status, body)
	}
	h := http.Header{"Idempotency-Key": {key}}
	if status, body := r.call(c, "POST", "/api/orders/orders", `{"quantity": 5}`, h); status != 422 || errorCode(body) != "idempotency_key_reused" {
		t.Errorf("the key with another body: %d %v", status, body)
	}
	if status, body := r.call(c, "POST", "/api/orders/orders", `{"quantity": 5}`, http.Header{"Idempotency-Key": {strings.Repeat("x", 300)}}); status != 400 || errorCode(body) != "invalid_idempotency_key" {
		t.Errorf("a malformed key: %d %v", status, body)
	}
}
