package app_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/comanda-dev/comanda/internal/testkit"
	"github.com/comanda-dev/comanda/orders-app/app"
)

// PostgreSQL and Redis still coming up when orders-app starts: it waits for
// them, and serves once they answer, instead of failing its start.
func TestStartWaitsForPostgresAndRedis(t *testing.T) {
	rdb := testkit.Redis(t)
	dbURL, schema := testkit.PostgresSchema(t)
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	pg := testkit.StartProxy(t, u.Host)
	redisProxy := testkit.StartProxy(t, rdb.Options().Addr)
	pg.Cut()
	redisProxy.Cut()
	u.Host = pg.Addr()
	cfg := baseConfig(t, rdb)
	cfg.DatabaseURL, cfg.DatabaseSchema = u.String(), schema
	cfg.RedisURL = "redis://" + redisProxy.Addr()

	type started struct {
		a   *app.App
		err error
	}
	done := make(chan started, 1)
	go func() {
		a, err := app.New(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
		done <- started{a, err}
	}()
	select {
	case s := <-done:
		t.Fatalf("orders-app started without its stores: %v", s.err)
	case <-time.After(1500 * time.Millisecond):
	}
	pg.Restore()
	time.Sleep(500 * time.Millisecond)
	redisProxy.Restore()
	var s started
	select {
	case s = <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("orders-app did not start within 30s of its stores coming back")
	}
	if s.err != nil {
		t.Fatalf("orders-app failed to start once its stores came up: %v", s.err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	runDone := make(chan error, 1)
	go func() { runDone <- s.a.Run(ctx) }()
	defer func() { cancel(); <-runDone }()
	resp, err := http.Get("http://" + s.a.Addr() + "/ready")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("/ready answers %d once PostgreSQL and Redis are up", resp.StatusCode)
	}
}
