package gateway

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	fws "github.com/fasthttp/websocket"
	"github.com/gofiber/contrib/websocket"
	"github.com/gofiber/fiber/v2"

	"github.com/redis/go-redis/v9"
	"go.opentelemetry.io/otel/trace"

	"github.com/comanda-dev/comanda/internal/auth"
	"github.com/comanda-dev/comanda/internal/httpx"
	"github.com/comanda-dev/comanda/internal/testkit"
)

// upstream records what the gateway forwarded.
type upstream struct {
	mu   sync.Mutex
	reqs []*http.Request
	srv  *httptest.Server
}

func newUpstream(t *testing.T) *upstream {
	u := &upstream{}
	u.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		u.mu.Lock()
		u.reqs = append(u.reqs, r)
		u.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusTeapot)
		_ = json.NewEncoder(w).Encode(map[string]string{"path": r.URL.RequestURI(), "auth": r.Header.Get("Authorization"), "cookie": r.Header.Get("Cookie"), "body": string(body)})
	}))
	t.Cleanup(u.srv.Close)
	return u
}

func (u *upstream) count() int {
	u.mu.Lock()
	defer u.mu.Unlock()
	return len(u.reqs)
}

// feedUpstream is a stand-in for inventory-app's /ws: it greets with the
// Authorization header it saw, sends a frame of ?size= bytes when asked, and
// echoes what it receives.
func feedUpstream(t *testing.T) string {
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	app.Get("/ws", func(c *fiber.Ctx) error {
		c.Locals("auth", c.Get("Authorization"))
		c.Locals("since", c.Query("since"))
		c.Locals("size", c.QueryInt("size"))
		return c.Next()
	}, websocket.New(func(c *websocket.Conn) {
		_ = c.WriteMessage(fws.TextMessage, []byte("hello "+c.Locals("auth").(string)+" since="+c.Locals("since").(string)))
		if n := c.Locals("size").(int); n > 0 {
			_ = c.WriteMessage(fws.TextMessage, []byte(strings.Repeat("x", n)))
		}
		for {
			mt, msg, err := c.ReadMessage()
			if err != nil {
				return
			}
			_ = c.WriteMessage(mt, msg)
		}
	}))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = app.Listener(ln) }()
	t.Cleanup(func() { _ = app.Shutdown() })
	return "http://" + ln.Addr().String()
}

type rig struct {
	t        *testing.T
	base     string
	orders   *upstream
	sessions *Sessions
	clock    *clock
	rdb      *redis.Client
	prefix   string
}

// clock is real time, moved ahead by advance.
type clock struct {
	mu    sync.Mutex
	ahead time.Duration
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.ahead)
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.ahead += d
	c.mu.Unlock()
}

const password = "correct horse battery staple"

func newRig(t *testing.T) *rig {
	t.Helper()
	orders := newUpstream(t)
	r := newRigTo(t, orders.srv.URL)
	r.orders = orders
	return r
}

// rigEnv is what a rig and the services behind it share: the signing key
// and where sessions live.
type rigEnv struct {
	keys    *testkit.Keys
	rdb     *redis.Client
	prefix  string
	trusted []netip.Prefix
	// feed is the inventory-app stand-in's URL (feedUpstream by default).
	feed string
	// tracer traces the proxied calls (nil: tracing off).
	tracer trace.Tracer
}

func newRigEnv(t *testing.T) rigEnv {
	rdb := testkit.Redis(t)
	return rigEnv{keys: testkit.NewKeys(t), rdb: rdb, prefix: testkit.Prefix(t, rdb)}
}

// newRigTo is a gateway whose orders API is at ordersURL.
func newRigTo(t *testing.T, ordersURL string) *rig {
	t.Helper()
	return newRigWith(t, newRigEnv(t), ordersURL)
}

// newRigWith is a gateway of env whose orders API is at ordersURL.
func newRigWith(t *testing.T, env rigEnv, ordersURL string) *rig {
	t.Helper()
	clk := &clock{}
	rdb, prefix := env.rdb, env.prefix
	feed := env.feed
	if feed == "" {
		feed = feedUpstream(t)
	}
	sessions := testSessions(t, env.keys, rdb, prefix, clk.Now)
	manager, err := NewManager("manager", password, "")
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	g := New(Options{
		Manager: manager, Sessions: sessions, Timeout: 2 * time.Second, LoginAttempts: 5, Log: log,
		Redis: rdb, Prefix: prefix, FeedsPerSession: 3, FeedsInAll: 5, TrustedProxies: env.trusted,
		Upstreams: map[string]string{"orders": ordersURL, "kitchen": "http://127.0.0.1:1", "inventory": feed},
		Tracer:    env.tracer,
	})
	app := httpx.New(httpx.Options{Service: "web", Logger: log})
	g.Register(app)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = app.Listener(ln) }()
	t.Cleanup(func() { g.CloseFeeds(); _ = app.Shutdown() })
	return &rig{t: t, base: "http://" + ln.Addr().String(), sessions: sessions, clock: clk, rdb: rdb, prefix: prefix}
}

// testSessions signs with a fresh key and keeps sessions in rdb under
// prefix, telling time with now.
func testSessions(t *testing.T, keys *testkit.Keys, rdb redis.UniversalClient, prefix string, now func() time.Time) *Sessions {
	t.Helper()
	priv, err := auth.ParsePrivateKey(keys.Private)
	if err != nil {
		t.Fatal(err)
	}
	signer, _ := auth.NewSigner(keys.KeyID, priv)
	pub, _ := auth.ParsePublicKeys(keys.Public)
	verifier, _ := auth.NewVerifier(pub)
	checker := auth.NewChecker(verifier, auth.NewRegistry(rdb, prefix))
	checker.SetClock(now)
	sessions := NewSessions(signer, checker, time.Hour)
	sessions.now = now
	return sessions
}

// browser returns a client with a cookie jar, logged in when password is
// not empty.
func (r *rig) browser(pw string) *http.Client {
	r.t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	if pw != "" {
		if status, _ := r.call(c, "POST", "/api/login", `{"username":"manager","password":"`+pw+`"}`, nil); status != 200 {
			r.t.Fatalf("login answered %d", status)
		}
	}
	return c
}

func (r *rig) call(c *http.Client, method, path, body string, header http.Header) (int, map[string]any) {
	r.t.Helper()
	req, _ := http.NewRequest(method, r.base+path, strings.NewReader(body))
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := c.Do(req)
	if err != nil {
		r.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func errorCode(body map[string]any) string {
	e, _ := body["error"].(map[string]any)
	code, _ := e["code"].(string)
	return code
}

func TestLogin(t *testing.T) {
	r := newRig(t)
	c := r.browser("")
	if status, body := r.call(c, "POST", "/api/login", `{"username":"manager","password":"wrong"}`, nil); status != 401 || errorCode(body) != "invalid_credentials" {
		t.Errorf("wrong password: %d %v", status, body)
	}
	if status, body := r.call(c, "POST", "/api/login", `{"username":"chef","password":"`+password+`"}`, nil); status != 401 || errorCode(body) != "invalid_credentials" {
		t.Errorf("wrong user: %d %v", status, body)
	}
	if status, _ := r.call(c, "GET", "/api/me", "", nil); status != 401 {
		t.Errorf("me before login: %d", status)
	}
	req, _ := http.NewRequest("POST", r.base+"/api/login", strings.NewReader(`{"username":"manager","password":"`+password+`"}`))
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	cookie := resp.Header.Get("Set-Cookie")
	for _, want := range []string{auth.CookieName + "=", "HttpOnly", "SameSite=Strict", "path=/"} {
		if !strings.Contains(strings.ToLower(cookie), strings.ToLower(want)) {
			t.Errorf("session cookie %q lacks %s", cookie, want)
		}
	}
	if status, body := r.call(c, "GET", "/api/me", "", nil); status != 200 || body["user"] != "manager" {
		t.Errorf("me after login: %d %v", status, body)
	}
}

func TestLoginAttemptsAreLimited(t *testing.T) {
	r := newRig(t)
	c := r.browser("")
	last := 0
	for range 6 {
		last, _ = r.call(c, "POST", "/api/login", `{"username":"manager","password":"guess"}`, nil)
	}
	if last != http.StatusTooManyRequests {
		t.Errorf("6th attempt in a minute answered %d, want 429", last)
	}
}

func TestProxyForwardsWithTheSessionAsBearer(t *testing.T) {
	r := newRig(t)
	c := r.browser(password)
	status, body := r.call(c, "POST", "/api/orders/orders?x=1", `{"quantity":2}`, nil)
	if status != http.StatusTeapot {
		t.Fatalf("status %d not passed through: %v", status, body)
	}
	if body["path"] != "/api/v1/orders?x=1" || body["body"] != `{"quantity":2}` {
		t.Errorf("forwarded %v", body)
	}
	if auth, _ := body["auth"].(string); !strings.HasPrefix(auth, "Bearer ") || body["cookie"] != "" {
		t.Errorf("upstream saw auth %q and cookie %q", body["auth"], body["cookie"])
	}
	// A script uses the token it got at login.
	_, login := r.call(r.browser(""), "POST", "/api/login", `{"username":"manager","password":"`+password+`"}`, nil)
	script := &http.Client{}
	if status, _ := r.call(script, "GET", "/api/orders/orders", "", http.Header{"Authorization": {"Bearer " + login["token"].(string)}}); status != http.StatusTeapot {
		t.Errorf("bearer token: %d", status)
	}
}

func TestProxyRefuses(t *testing.T) {
	r := newRig(t)
	anon := r.browser("")
	if status, body := r.call(anon, "GET", "/api/orders/orders", "", nil); status != 401 || errorCode(body) != "unauthorized" {
		t.Errorf("without session: %d %v", status, body)
	}
	if status, _ := r.call(anon, "GET", "/api/orders/orders", "", http.Header{"Authorization": {"Bearer forged.token.here"}}); status != 401 {
		t.Errorf("forged token: %d", status)
	}
	if r.orders.count() != 0 {
		t.Errorf("refused requests reached the service %d times", r.orders.count())
	}
	c := r.browser(password)
	if status, body := r.call(c, "POST", "/api/orders/orders", `{}`, http.Header{"Origin": {"http://evil.example"}}); status != 403 || errorCode(body) != "cross_origin" {
		t.Errorf("cross-origin write: %d %v", status, body)
	}
	if status, _ := r.call(c, "GET", "/api/payments/x", "", nil); status != 404 {
		t.Errorf("unknown service: %d", status)
	}
	if status, body := r.call(c, "GET", "/api/kitchen/recipes", "", nil); status != 502 || errorCode(body) != "service_unavailable" {
		t.Errorf("service down: %d %v", status, body)
	}
}

func TestSessionsExpireAndLogoutEndsThem(t *testing.T) {
	r := newRig(t)
	c := r.browser(password)
	r.clock.advance(59 * time.Minute)
	if status, _ := r.call(c, "GET", "/api/me", "", nil); status != 200 {
		t.Errorf("session before expiry: %d", status)
	}
	r.clock.advance(2 * time.Minute)
	if status, _ := r.call(c, "GET", "/api/orders/orders", "", nil); status != 401 {
		t.Errorf("expired session: %d", status)
	}

	c = r.browser(password)
	_, login := r.call(r.browser(""), "POST", "/api/login", `{"username":"manager","password":"`+password+`"}`, nil)
	token := login["token"].(string)
	bearer := http.Header{"Authorization": {"Bearer " + token}}
	if status, _ := r.call(&http.Client{}, "POST", "/api/logout", "", bearer); status != 204 {
		t.Errorf("logout: %d", status)
	}
	if status, _ := r.call(&http.Client{}, "GET", "/api/me", "", bearer); status != 401 {
		t.Errorf("token after logout: %d", status)
	}
	if status, _ := r.call(c, "GET", "/api/me", "", nil); status != 200 {
		t.Errorf("another session ended with it: %d", status)
	}
}

func TestFeedIsRelayedWithTheSession(t *testing.T) {
	r := newRig(t)
	wsURL := strings.Replace(r.base, "http", "ws", 1) + "/ws?since=abc:1"
	if _, resp, err := fws.DefaultDialer.Dial(wsURL, nil); err == nil || resp.StatusCode != 401 {
		t.Fatalf("feed without session: %v %v", resp, err)
	}
	c := r.browser(password)
	u, _ := url.Parse(r.base)
	header := http.Header{"Origin": {r.base}}
	for _, ck := range c.Jar.Cookies(u) {
		header.Add("Cookie", ck.Name+"="+ck.Value)
	}
	if _, resp, err := fws.DefaultDialer.Dial(wsURL, http.Header{"Origin": {"http://evil.example"}, "Cookie": header["Cookie"]}); err == nil || resp.StatusCode != 403 {
		t.Fatalf("feed from another site: %v %v", resp, err)
	}
	conn, _, err := fws.DefaultDialer.DialContext(context.Background(), wsURL, header)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_, hello, err := conn.ReadMessage()
	if err != nil || !strings.HasPrefix(string(hello), "hello Bearer ") || !strings.HasSuffix(string(hello), "since=abc:1") {
		t.Fatalf("greeting %q, %v", hello, err)
	}
}
