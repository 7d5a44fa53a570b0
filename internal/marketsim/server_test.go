package marketsim

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestStartServesUntilContextEnds(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s, base, err := Start(ctx, "127.0.0.1:0", Config{MaxQuantity: 3, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(base, "http://127.0.0.1:") {
		t.Fatalf("base URL %q", base)
	}

	resp, err := http.Get(base + BuyPath + "?ingredient=chicken")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	q, ok := parseQuantity(resp.StatusCode, body)
	if !ok || q > 3 {
		t.Fatalf("status %d body %q", resp.StatusCode, body)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Fatalf("Content-Type %q", ct)
	}
	if s.Stats().ByIngredient["chicken"].Calls != 1 {
		t.Fatalf("stats %+v", s.Stats())
	}

	resp, err = http.Get(base + "/config")
	if err != nil {
		t.Fatal(err)
	}
	var cfg Config
	err = json.NewDecoder(resp.Body).Decode(&cfg)
	resp.Body.Close()
	if err != nil || cfg.MaxQuantity != 3 {
		t.Fatalf("GET /config: %+v, %v", cfg, err)
	}

	cancel()
	addr := strings.TrimPrefix(base, "http://")
	deadline := time.Now().Add(10 * time.Second)
	for {
		conn, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			break
		}
		conn.Close()
		if time.Now().After(deadline) {
			t.Fatal("still accepting connections after the context ended")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestStartReportsBusyAddress(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	if _, _, err := Start(t.Context(), ln.Addr().String(), DefaultConfig()); err == nil {
		t.Fatal("Start on a busy address succeeded")
	}
}

func TestBaseURLReplacesWildcard(t *testing.T) {
	cases := map[string]string{
		"[::]:3010":      "http://127.0.0.1:3010",
		"0.0.0.0:3010":   "http://127.0.0.1:3010",
		"127.0.0.1:3010": "http://127.0.0.1:3010",
		"[::1]:3010":     "http://[::1]:3010",
	}
	for in, want := range cases {
		addr, err := net.ResolveTCPAddr("tcp", in)
		if err != nil {
			t.Fatal(err)
		}
		if got := BaseURL(addr); got != want {
			t.Errorf("BaseURL(%s) = %s, want %s", in, got, want)
		}
	}
}
