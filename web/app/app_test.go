package app

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"testing"

	"github.com/comanda-dev/comanda/internal/config"
	"github.com/comanda-dev/comanda/internal/testkit"
)

// In production (HTTPS behind the load balancer) every answer tells
// browsers to keep to HTTPS; a laptop's plain-HTTP run does not.
func TestProductionSendsHSTS(t *testing.T) {
	rdb := testkit.Redis(t)
	keys := testkit.NewKeys(t)
	for env, want := range map[string]bool{"production": true, "development": false} {
		cfg, err := config.LoadFrom[Config](map[string]string{
			"APP_ENV": env, "AUTH_PRIVATE_KEY": keys.Private, "MANAGER_PASSWORD": "a-long-password-here",
			"WEB_ADDR": "127.0.0.1:0", "REDIS_URL": testkit.RedisURL(), "STREAM_PREFIX": testkit.Prefix(t, rdb),
		})
		if err != nil {
			t.Fatal(err)
		}
		a, err := New(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- a.Run(ctx) }()
		resp, err := http.Get("http://" + a.Addr() + "/")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got := resp.Header.Get("Strict-Transport-Security") != ""; got != want {
			t.Errorf("%s: HSTS sent %v, want %v (%q)", env, got, want, resp.Header.Get("Strict-Transport-Security"))
		}
		cancel()
		if err := <-done; err != nil {
			t.Errorf("%s: stopped with %v", env, err)
		}
	}
}
