package httpx_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"

	"github.com/comanda-dev/comanda/internal/httpx"
)

func accessApp(t *testing.T, trusted func(*fiber.Ctx) bool) (*fiber.App, *bytes.Buffer) {
	t.Helper()
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, nil))
	app := httpx.New(httpx.Options{Service: "test", Logger: log})
	app.Use(httpx.RequestID(trusted), httpx.AccessLog(log))
	app.Get("/api/v1/things/:id", func(c *fiber.Ctx) error {
		if c.Params("id") == "missing" {
			return fiber.ErrNotFound
		}
		return c.SendString("thing")
	})
	return app, &buf
}

func lines(t *testing.T, buf *bytes.Buffer) []map[string]any {
	t.Helper()
	var out []map[string]any
	for l := range strings.SplitSeq(strings.TrimSpace(buf.String()), "\n") {
		if l == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatal(err)
		}
		out = append(out, m)
	}
	return out
}

func TestAccessLogKeepsTheIDItReceives(t *testing.T) {
	app, buf := accessApp(t, nil)
	req := httptest.NewRequest("GET", "/api/v1/things/7", nil)
	req.Header.Set("X-Request-ID", "gw-123")
	resp, err := app.Test(req)
	if err != nil {
		t.Fatal(err)
	}
	if got := resp.Header.Get("X-Request-ID"); got != "gw-123" {
		t.Errorf("answered request id %q, want gw-123", got)
	}
	if _, err := app.Test(httptest.NewRequest("GET", "/api/v1/things/missing", nil)); err != nil {
		t.Fatal(err)
	}
	if _, err := app.Test(httptest.NewRequest("GET", "/health", nil)); err != nil {
		t.Fatal(err)
	}
	got := lines(t, buf)
	if len(got) != 2 {
		t.Fatalf("logged %d lines, want one per API request and none for the probe: %v", len(got), got)
	}
	first, second := got[0], got[1]
	if first["msg"] != "request" || first["requestId"] != "gw-123" || first["method"] != "GET" || first["route"] != "/api/v1/things/:id" ||
		first["status"] != float64(200) || first["bytes"] != float64(5) || first["ms"] == nil {
		t.Errorf("first line: %v", first)
	}
	if second["status"] != float64(404) || second["requestId"] == "" || second["requestId"] == "gw-123" {
		t.Errorf("second line: %v", second)
	}
}

func TestUntrustedOrOddIDsAreReplaced(t *testing.T) {
	app, buf := accessApp(t, func(*fiber.Ctx) bool { return false })
	req := httptest.NewRequest("GET", "/api/v1/things/7", nil)
	req.Header.Set("X-Request-ID", "forged")
	resp, err := app.Test(req)
	if err != nil {
		t.Fatal(err)
	}
	if got := resp.Header.Get("X-Request-ID"); got == "forged" || len(got) != 36 {
		t.Errorf("an untrusted id was kept or none made: %q", got)
	}
	trusting, _ := accessApp(t, nil)
	odd := httptest.NewRequest("GET", "/api/v1/things/7", nil)
	odd.Header.Set("X-Request-ID", strings.Repeat("x", 200))
	resp, err = trusting.Test(odd)
	if err != nil {
		t.Fatal(err)
	}
	if got := resp.Header.Get("X-Request-ID"); len(got) != 36 {
		t.Errorf("an oversized id was kept: %d characters", len(got))
	}
	if l := lines(t, buf); len(l) != 1 || l[0]["requestId"] == "forged" {
		t.Errorf("logged %v", l)
	}
}
