package auth_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/golang-jwt/jwt/v5"
	"github.com/redis/go-redis/v9"

	"github.com/comanda-dev/comanda/internal/auth"
	"github.com/comanda-dev/comanda/internal/config"
	"github.com/comanda-dev/comanda/internal/httpx"
	"github.com/comanda-dev/comanda/internal/testkit"
)

func signer(t *testing.T, kid string) (*auth.Signer, map[string]ed25519.PublicKey, ed25519.PrivateKey) {
	t.Helper()
	pair, err := auth.GenerateKeyPair(kid)
	if err != nil {
		t.Fatal(err)
	}
	priv, err := auth.ParsePrivateKey(pair.Private)
	if err != nil {
		t.Fatal(err)
	}
	s, err := auth.NewSigner(kid, priv)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := auth.ParsePublicKeys(pair.Public)
	if err != nil {
		t.Fatal(err)
	}
	return s, pub, priv
}

// forge signs claims as an attacker could: with a key of their own, another
// algorithm, or times no gateway issues.
func forge(t *testing.T, method jwt.SigningMethod, key any, kid string, c jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(method, c)
	if kid != "" {
		tok.Header["kid"] = kid
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestTokensOnlyTheGatewayCanMint(t *testing.T) {
	s, pub, realKey := signer(t, "k1")
	_, otherPub, _ := signer(t, "k1")
	v, _ := auth.NewVerifier(pub)
	now := time.Now()
	tok, sess, err := s.Issue("manager", time.Hour, now)
	if err != nil {
		t.Fatal(err)
	}
	got, err := v.Verify(tok, now.Add(59*time.Minute))
	if err != nil || got.User != "manager" || got.ID != sess.ID || len(sess.ID) != 32 {
		t.Fatalf("valid token: %+v, %v", got, err)
	}
	if _, err := v.Verify(tok, now.Add(61*time.Minute)); !errors.Is(err, auth.ErrInvalidToken) {
		t.Errorf("expired token accepted: %v", err)
	}
	if ov, _ := auth.NewVerifier(otherPub); ov != nil {
		if _, err := ov.Verify(tok, now); !errors.Is(err, auth.ErrInvalidToken) {
			t.Errorf("token checked with another key under the same kid accepted: %v", err)
		}
	}
	if _, _, err := s.Issue("manager", auth.MaxTTL+time.Second, now); err == nil {
		t.Error("a session longer than MaxTTL was issued")
	}

	_, attackerKey, _ := ed25519.GenerateKey(rand.Reader)
	good := func() jwt.MapClaims {
		return jwt.MapClaims{"iss": "comanda", "sub": "manager", "role": "manager", "jti": "abc", "aud": []string{auth.Audience},
			"iat": now.Unix(), "exp": now.Add(time.Hour).Unix()}
	}
	with := func(k string, v any) jwt.MapClaims {
		c := good()
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
		return c
	}
	rawPub := []byte(pub["k1"])
	cases := map[string]string{
		"signed by another key":     forge(t, jwt.SigningMethodEdDSA, attackerKey, "k1", good()),
		"unsigned":                  forge(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, "k1", good()),
		"HS256 with the public key": forge(t, jwt.SigningMethodHS256, rawPub, "k1", good()),
		"unknown kid":               forge(t, jwt.SigningMethodEdDSA, attackerKey, "k9", good()),
		"no audience":               forge(t, jwt.SigningMethodEdDSA, attackerKey, "k1", with("aud", nil)),
		"no kid":                    forge(t, jwt.SigningMethodEdDSA, attackerKey, "", good()),
	}
	// Claims a gateway never issues, signed with the real key: only the
	// checks of the claims can refuse them.
	for name, c := range map[string]jwt.MapClaims{
		"another audience":       with("aud", []string{"someone-else"}),
		"no issue time":          with("iat", nil),
		"issued in the future":   with("iat", now.Add(time.Hour).Unix()),
		"lasting a year":         with("exp", now.Add(365*24*time.Hour).Unix()),
		"no expiry":              with("exp", nil),
		"no session id":          with("jti", nil),
		"another issuer":         with("iss", "elsewhere"),
		"not the manager's role": with("role", "cook"),
		"expired long ago":       with("exp", now.Add(-48*time.Hour).Unix()),
	} {
		cases[name] = forge(t, jwt.SigningMethodEdDSA, realKey, "k1", c)
	}
	cases["empty"], cases["garbage"], cases["huge"] = "", "abc", strings.Repeat("x", 5000)
	for name, tok := range cases {
		if _, err := v.Verify(tok, now); !errors.Is(err, auth.ErrInvalidToken) {
			t.Errorf("%s: accepted (%v)", name, err)
		}
	}
	// The same claims, well formed, pass: the refusals above are the
	// claims' and the keys' doing.
	if _, err := v.Verify(forge(t, jwt.SigningMethodEdDSA, realKey, "k1", good()), now); err != nil {
		t.Errorf("well-formed token refused: %v", err)
	}
}

func TestKeysParse(t *testing.T) {
	pair, _ := auth.GenerateKeyPair("k1")
	pem := "-----BEGIN PRIVATE KEY-----\n" + pair.Private + "\n-----END PRIVATE KEY-----\n"
	for name, text := range map[string]string{"base64": pair.Private, "PEM": pem} {
		if _, err := auth.ParsePrivateKey(text); err != nil {
			t.Errorf("%s private key: %v", name, err)
		}
	}
	second, _ := auth.GenerateKeyPair("k2")
	keys, err := auth.ParsePublicKeys(pair.Public + ", " + second.Public)
	if err != nil || len(keys) != 2 {
		t.Errorf("two public keys: %v %v", keys, err)
	}
	for _, bad := range []string{"", "k1", "=abc", "k 1=" + strings.TrimPrefix(pair.Public, "k1="), "k1=not-base64!", pair.Public + ",k1=" + strings.TrimPrefix(second.Public, "k2=")} {
		if _, err := auth.ParsePublicKeys(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
	if _, err := auth.ParsePrivateKey("nonsense"); err == nil {
		t.Error("nonsense parsed as a private key")
	}
}

// Rotation: services accept the tokens of every listed key, and a token
// names the key it was signed with.
func TestRotationAcceptsEveryListedKey(t *testing.T) {
	old, oldPub, _ := signer(t, "2026-01")
	cur, curPub, _ := signer(t, "2026-06")
	both := map[string]ed25519.PublicKey{}
	for k, v := range oldPub {
		both[k] = v
	}
	for k, v := range curPub {
		both[k] = v
	}
	v, _ := auth.NewVerifier(both)
	onlyNew, _ := auth.NewVerifier(curPub)
	now := time.Now()
	a, _, _ := old.Issue("manager", time.Hour, now)
	b, _, _ := cur.Issue("manager", time.Hour, now)
	for _, tok := range []string{a, b} {
		if _, err := v.Verify(tok, now); err != nil {
			t.Errorf("during the rotation: %v", err)
		}
	}
	if _, err := onlyNew.Verify(a, now); err == nil {
		t.Error("a retired key's token accepted")
	}
}

func TestRegistryEndsSessionsEverywhere(t *testing.T) {
	rdb := testkit.Redis(t)
	prefix := testkit.Prefix(t, rdb)
	s, pub, _ := signer(t, "k1")
	v, _ := auth.NewVerifier(pub)
	gatewayA := auth.NewChecker(v, auth.NewRegistry(rdb, prefix))
	gatewayB := auth.NewChecker(v, auth.NewRegistry(rdb, prefix))
	ctx := context.Background()
	tok, sess, _ := s.Issue("manager", time.Hour, time.Now())
	if _, err := gatewayA.Check(ctx, tok); !errors.Is(err, auth.ErrInvalidToken) {
		t.Errorf("a session never opened: %v", err)
	}
	if err := gatewayA.Registry().Open(ctx, sess); err != nil {
		t.Fatal(err)
	}
	if _, err := gatewayB.Check(ctx, tok); err != nil {
		t.Fatalf("another gateway refuses an open session: %v", err)
	}
	if ttl := rdb.TTL(ctx, prefix+":session:"+sess.ID).Val(); ttl <= 59*time.Minute || ttl > time.Hour {
		t.Errorf("the session's key lives %s, want its token's hour", ttl)
	}
	if err := gatewayA.Registry().End(ctx, sess); err != nil {
		t.Fatal(err)
	}
	if _, err := gatewayA.Check(ctx, tok); !errors.Is(err, auth.ErrInvalidToken) {
		t.Errorf("ended session accepted where it ended: %v", err)
	}
	deadline := time.Now().Add(3 * time.Second)
	for {
		_, err := gatewayB.Check(ctx, tok)
		if errors.Is(err, auth.ErrInvalidToken) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("another gateway still accepts the ended session: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	// A process started afterwards (a restart) knows it too.
	if _, err := auth.NewChecker(v, auth.NewRegistry(rdb, prefix)).Check(ctx, tok); !errors.Is(err, auth.ErrInvalidToken) {
		t.Errorf("a fresh checker accepts the ended session: %v", err)
	}
}

func TestRegistryWhileRedisIsAway(t *testing.T) {
	real := testkit.Redis(t)
	prefix := testkit.Prefix(t, real)
	proxy := testkit.StartProxy(t, real.Options().Addr)
	rdb := redis.NewClient(&redis.Options{Addr: proxy.Addr(), ContextTimeoutEnabled: true, MaxRetries: -1, DialTimeout: 300 * time.Millisecond})
	t.Cleanup(func() { _ = rdb.Close() })
	s, pub, _ := signer(t, "k1")
	v, _ := auth.NewVerifier(pub)
	reg := auth.NewRegistry(rdb, prefix)
	reg.CacheFor = 50 * time.Millisecond
	ch := auth.NewChecker(v, reg)
	ctx := context.Background()
	seen, seenSess, _ := s.Issue("manager", time.Hour, time.Now())
	unseen, unseenSess, _ := s.Issue("manager", time.Hour, time.Now())
	for _, sess := range []auth.Session{seenSess, unseenSess} {
		if err := auth.NewRegistry(real, prefix).Open(ctx, sess); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := ch.Check(ctx, seen); err != nil {
		t.Fatal(err)
	}
	proxy.Cut()
	time.Sleep(100 * time.Millisecond)
	cctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	if _, err := ch.Check(cctx, seen); err != nil {
		t.Errorf("a session seen live just before the outage: %v", err)
	}
	if _, err := ch.Check(cctx, unseen); !errors.Is(err, auth.ErrUnavailable) {
		t.Errorf("a session this process never saw, during the outage: %v, want ErrUnavailable", err)
	}
	if err := reg.End(cctx, seenSess); !errors.Is(err, auth.ErrUnavailable) {
		t.Errorf("ending a session during the outage: %v, want ErrUnavailable", err)
	}
	proxy.Restore()
	deadline := time.Now().Add(5 * time.Second)
	for {
		if _, err := ch.Check(ctx, unseen); err == nil {
			break
		} else if time.Now().After(deadline) {
			t.Fatalf("after the outage: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestRequireGuardsEveryMethod(t *testing.T) {
	rdb := testkit.Miniredis(t)
	s, pub, _ := signer(t, "k1")
	v, _ := auth.NewVerifier(pub)
	ch := auth.NewChecker(v, auth.NewRegistry(rdb, "c"))
	tok, sess, _ := s.Issue("manager", time.Hour, time.Now())
	if err := ch.Registry().Open(context.Background(), sess); err != nil {
		t.Fatal(err)
	}
	app := httpx.New(httpx.Options{Service: "t", Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	app.Use(auth.Require(ch))
	app.All("/x", func(c *fiber.Ctx) error { return c.SendStatus(200) })
	cases := []struct {
		method, header string
		want           int
	}{
		{"GET", "", 401},
		{"HEAD", "", 401},
		{"POST", "", 401},
		{"DELETE", "", 401},
		{"POST", "Bearer nonsense", 401},
		{"POST", "Basic bWFuYWdlcjp4", 401},
		{"GET", "Bearer " + tok, 200},
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
	rdb := testkit.Miniredis(t)
	pair, _ := auth.GenerateKeyPair("k1")
	if ch, err := auth.ForService(config.Common{AuthPublicKeys: pair.Public, StreamPrefix: "c"}, rdb, log); err != nil || ch == nil {
		t.Errorf("with keys: %v %v", ch, err)
	}
	if _, err := auth.ForService(config.Common{AuthPublicKeys: "k1=bad"}, rdb, log); err == nil {
		t.Error("unreadable keys accepted")
	}
	if ch, _ := auth.ForService(config.Common{AuthPublicKeys: pair.Public, AuthDisabled: true}, rdb, log); ch != nil {
		t.Error("AUTH_DISABLED kept checks on")
	}
	if ch, _ := auth.ForService(config.Common{}, rdb, log); ch != nil {
		t.Error("no keys in development kept checks on")
	}
	prod := config.Common{RedisURL: "redis://x", StreamPrefix: "c", ReclaimIdle: time.Second, MaxDeliveries: 1, Environment: "production", AuthDisabled: true}
	if err := prod.Validate(); err == nil || !strings.Contains(err.Error(), "AUTH_DISABLED") || !strings.Contains(err.Error(), "AUTH_PUBLIC_KEYS") {
		t.Errorf("production without keys and with checks off: %v", err)
	}
}

// A check abandoned by its caller (a client gone) says nothing about Redis:
// the next check asks Redis as usual instead of answering 503.
func TestAnAbandonedCheckDoesNotMarkRedisDown(t *testing.T) {
	rdb := testkit.Redis(t)
	prefix := testkit.Prefix(t, rdb)
	s, pub, _ := signer(t, "k1")
	v, _ := auth.NewVerifier(pub)
	ch := auth.NewChecker(v, auth.NewRegistry(rdb, prefix))
	a, aSess, _ := s.Issue("manager", time.Hour, time.Now())
	b, bSess, _ := s.Issue("manager", time.Hour, time.Now())
	for _, sess := range []auth.Session{aSess, bSess} {
		if err := ch.Registry().Open(context.Background(), sess); err != nil {
			t.Fatal(err)
		}
	}
	// Opening cached both as live; a fresh checker knows neither.
	ch = auth.NewChecker(v, auth.NewRegistry(rdb, prefix))
	gone, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := ch.Check(gone, a); err == nil {
		t.Fatal("a check with its context gone answered")
	}
	if _, err := ch.Check(context.Background(), b); err != nil {
		t.Errorf("the next check, Redis answering: %v", err)
	}
}
