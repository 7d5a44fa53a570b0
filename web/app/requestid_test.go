package app

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/comanda-dev/comanda/internal/config"
	"github.com/comanda-dev/comanda/internal/testkit"
)

// login opens a session at the gateway and returns its bearer token.
func login(t *testing.T, base string) string {
	t.Helper()
	resp, err := http.Post(base+"/api/login", "application/json", strings.NewReader(`{"username":"manager","password":"a-long-password-here"}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct{ Token string }
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || resp.StatusCode != 200 || body.Token == "" {
		t.Fatalf("login: %d %v", resp.StatusCode, err)
	}
	return body.Token
}

// The gateway gives every request an id — the client's only from a
// trusted proxy — forwards it to the service, answers it and logs it.
func TestTheGatewayGivesEveryRequestAnIDAndForwardsIt(t *testing.T) {
	rdb := testkit.Redis(t)
	keys := testkit.NewKeys(t)
	var mu sync.Mutex
	var seen []string
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Header.Get("X-Request-ID"))
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"total":0}`))
	}))
	defer upstream.Close()
	for _, proxies := range []string{"", "127.0.0.1/32"} {
		prefix := testkit.Prefix(t, rdb)
		cfg, err := config.LoadFrom[Config](map[string]string{
			"AUTH_PRIVATE_KEY": keys.Private, "MANAGER_PASSWORD": "a-long-password-here", "TRUSTED_PROXIES": proxies,
			"WEB_ADDR": "127.0.0.1:0", "REDIS_URL": testkit.RedisURL(), "STREAM_PREFIX": prefix, "ORDERS_URL": upstream.URL,
		})
		if err != nil {
			t.Fatal(err)
		}
		log, logs := testkit.Logger()
		a, err := New(context.Background(), cfg, log)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- a.Run(ctx) }()
		token := login(t, "http://"+a.Addr())
		get := func(clientID string) string {
			t.Helper()
			req, _ := http.NewRequest("GET", "http://"+a.Addr()+"/api/orders/orders/stats", nil)
			req.Header.Set("Authorization", "Bearer "+token)
			if clientID != "" {
				req.Header.Set("X-Request-ID", clientID)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Fatalf("proxied read answered %d", resp.StatusCode)
			}
			return resp.Header.Get("X-Request-ID")
		}
		mu.Lock()
		seen = nil
		mu.Unlock()
		fresh := get("")
		sent := "client-" + uuid.NewString()
		kept := get(sent)
		mu.Lock()
		forwarded := append([]string(nil), seen...)
		mu.Unlock()
		if _, err := uuid.Parse(fresh); err != nil || len(forwarded) != 2 || forwarded[0] != fresh || forwarded[1] != kept {
			t.Errorf("TRUSTED_PROXIES=%q: answered %q and %q, the service got %v", proxies, fresh, kept, forwarded)
		}
		if trusted := proxies != ""; (kept == sent) != trusted {
			t.Errorf("TRUSTED_PROXIES=%q: a client's X-Request-ID %q answered as %q", proxies, sent, kept)
		}
		testkit.Eventually(t, "the access log names both requests", 5*time.Second, func() bool {
			out := logs.String()
			return strings.Contains(out, "requestId="+fresh) && strings.Contains(out, "requestId="+kept) && strings.Contains(out, "status=200")
		})
		cancel()
		if err := <-done; err != nil {
			t.Errorf("stopped with %v", err)
		}
	}
}
