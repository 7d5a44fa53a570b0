package auth

import (
	"errors"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/golang-jwt/jwt/v5"

	"github.com/comanda-dev/comanda/internal/config"
	"github.com/comanda-dev/comanda/internal/httpx"
)

func TestTokens(t *testing.T) {
	k, _ := NewKeys("secret-one-that-is-long-enough-12345")
	other, _ := NewKeys("secret-two-that-is-long-enough-12345")
	now := time.Now()
	tok, s, err := k.Issue("manager", time.Hour, now)
	if err != nil {
		t.Fatal(err)
	}
	got, err := k.Verify(tok, now.Add(59*time.Minute))
	if err != nil || got.User != "manager" || got.ID != s.ID {
		t.Fatalf("valid token: %+v, %v", got, err)
	}
	if _, err := k.Verify(tok, now.Add(61*time.Minute)); !errors.Is(err, ErrInvalidToken) {
		t.Errorf("expired token accepted: %v", err)
	}
	if _, err := other.Verify(tok, now); !errors.Is(err, ErrInvalidToken) {
		t.Errorf("token of another secret accepted: %v", err)
	}
	unsigned, _ := jwt.NewWithClaims(jwt.SigningMethodNone, jwt.MapClaims{"sub": "manager", "iss": "comanda", "role": "manager", "exp": now.Add(time.Hour).Unix()}).SignedString(jwt.UnsafeAllowNoneSignatureType)
	if _, err := k.Verify(unsigned, now); !errors.Is(err, ErrInvalidToken) {
		t.Errorf("unsigned token accepted: %v", err)
	}
	for _, bad := range []string{"", "abc", strings.Repeat("x", 300)} {
		if _, err := k.Verify(bad, now); !errors.Is(err, ErrInvalidToken) {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestRequireForWrites(t *testing.T) {
	k, _ := NewKeys("secret-one-that-is-long-enough-12345")
	tok, _, _ := k.Issue("manager", time.Hour, time.Now())
	app := httpx.New(httpx.Options{Service: "t", Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	app.Use(RequireForWrites(k))
	app.All("/x", func(c *fiber.Ctx) error { return c.SendStatus(200) })
	cases := []struct {
		method, header string
		want           int
	}{
		{"GET", "", 200},
		{"POST", "", 401},
		{"DELETE", "", 401},
		{"POST", "Bearer nonsense", 401},
		{"POST", "Basic bWFuYWdlcjp4", 401},
		{"POST", "Bearer " + tok, 200},
	}
	for _, c := range cases {
		req := httptest.NewRequest(c.method, "/x", nil)
		if c.header != "" {
			req.Header.Set("Authorization", c.header)
		}
		resp, err := app.Test(req)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != c.want {
			t.Errorf("%s with %q: %d, want %d", c.method, c.header, resp.StatusCode, c.want)
		}
	}
}

func TestForService(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if k, err := ForService(config.Common{AuthSecret: "s3cret"}, log); err != nil || k == nil {
		t.Errorf("with a secret: %v %v", k, err)
	}
	if k, _ := ForService(config.Common{AuthSecret: "s3cret", AuthDisabled: true}, log); k != nil {
		t.Error("AUTH_DISABLED kept checks on")
	}
	if k, _ := ForService(config.Common{}, log); k != nil {
		t.Error("no secret in development kept checks on")
	}
	prod := config.Common{RedisURL: "redis://x", StreamPrefix: "c", ReclaimIdle: time.Second, MaxDeliveries: 1, Environment: "production", AuthDisabled: true}
	if err := prod.Validate(); err == nil || !strings.Contains(err.Error(), "AUTH_DISABLED") || !strings.Contains(err.Error(), "AUTH_SECRET") {
		t.Errorf("production without secret and with checks off: %v", err)
	}
}
