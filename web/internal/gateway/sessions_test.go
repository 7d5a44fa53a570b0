package gateway

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	fws "github.com/fasthttp/websocket"

	"github.com/comanda-dev/comanda/internal/auth"
	"github.com/comanda-dev/comanda/internal/testkit"
)

// login logs the manager in through r as a script would, and returns the
// token.
func (r *rig) login(t *testing.T) string {
	t.Helper()
	status, body := r.call(&http.Client{}, "POST", "/api/login", `{"username":"manager","password":"`+password+`"}`, nil)
	if status != 200 {
		t.Fatalf("login answered %d %v", status, body)
	}
	return body["token"].(string)
}

// openFeed connects to the feed at wsURL with token and reads its first
// message; the connection closes when the test ends.
func openFeed(t *testing.T, wsURL, token string) *fws.Conn {
	t.Helper()
	conn, _, err := fws.DefaultDialer.Dial(wsURL, bearer(token))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	if _, _, err := conn.ReadMessage(); err != nil {
		t.Fatal(err)
	}
	return conn
}

func bearer(token string) http.Header { return http.Header{"Authorization": {"Bearer " + token}} }

// Two gateways behind one load balancer, and one started after the logout:
// a session ended at one is ended at all of them.
func TestLogoutEndsTheSessionAtEveryGateway(t *testing.T) {
	env := newRigEnv(t)
	a, b := newRigWith(t, env, newUpstream(t).srv.URL), newRigWith(t, env, newUpstream(t).srv.URL)
	token := a.login(t)
	if status, _ := b.call(&http.Client{}, "GET", "/api/me", "", bearer(token)); status != 200 {
		t.Fatalf("the other gateway refuses a live session: %d", status)
	}
	if status, _ := b.call(&http.Client{}, "GET", "/api/orders/orders", "", bearer(token)); status != http.StatusTeapot {
		t.Fatalf("the other gateway does not forward a live session: %d", status)
	}
	if status, _ := a.call(&http.Client{}, "POST", "/api/logout", "", bearer(token)); status != 204 {
		t.Fatalf("logout: %d", status)
	}
	testkit.Eventually(t, "the other gateway refuses the ended session", 5*time.Second, func() bool {
		status, _ := b.call(&http.Client{}, "GET", "/api/orders/orders", "", bearer(token))
		return status == 401
	})
	restarted := newRigWith(t, env, newUpstream(t).srv.URL)
	if status, _ := restarted.call(&http.Client{}, "GET", "/api/me", "", bearer(token)); status != 401 {
		t.Errorf("a gateway started after the logout accepts the session: %d", status)
	}
	if status, _ := a.call(&http.Client{}, "GET", "/api/me", "", bearer(a.login(t))); status != 200 {
		t.Errorf("a new login after the logout: %d", status)
	}
}

// An open feed closes (1008) within seconds of its session's logout, even
// one made at another gateway; the token opens no new feed.
func TestLogoutClosesTheSessionsFeeds(t *testing.T) {
	env := newRigEnv(t)
	a, b := newRigWith(t, env, "http://127.0.0.1:1"), newRigWith(t, env, "http://127.0.0.1:1")
	token := a.login(t)
	wsURL := strings.Replace(a.base, "http", "ws", 1) + "/ws"
	conn := openFeed(t, wsURL, token)
	if status, _ := b.call(&http.Client{}, "POST", "/api/logout", "", bearer(token)); status != 204 {
		t.Fatalf("logout: %d", status)
	}
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, _, err := conn.ReadMessage()
	var ce *fws.CloseError
	if !errors.As(err, &ce) || ce.Code != fws.ClosePolicyViolation {
		t.Fatalf("the feed ended with %v, want a 1008 close", err)
	}
	if _, resp, err := fws.DefaultDialer.Dial(wsURL, bearer(token)); err == nil || resp.StatusCode != 401 {
		t.Errorf("the ended session opened a feed: %v", err)
	}
}

func attempt(r *rig, user, pw string, header http.Header) (int, map[string]any) {
	return r.call(&http.Client{}, "POST", "/api/login", `{"username":"`+user+`","password":"`+pw+`"}`, header)
}

// Behind a trusted load balancer the limit is the client's, whichever
// gateway the attempts reach; from an untrusted peer, forwarding headers
// change nothing.
func TestLoginLimitsKeyOnTheRealClient(t *testing.T) {
	env := newRigEnv(t)
	env.trusted = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
	a, b := newRigWith(t, env, "http://127.0.0.1:1"), newRigWith(t, env, "http://127.0.0.1:1")
	from := func(ip string) http.Header { return http.Header{"X-Forwarded-For": {"203.0.113.77, " + ip}} }
	// Five attempts a minute (the rig's limit), spread over both gateways
	// and over user names, so that no user backs off.
	for i := range 5 {
		r := []*rig{a, b}[i%2]
		if status, body := attempt(r, "guest"+strconv.Itoa(i), "x", from("198.51.100.1")); status != 401 {
			t.Fatalf("attempt %d: %d %v", i+1, status, body)
		}
	}
	status, body := attempt(b, "guest9", "x", from("198.51.100.1"))
	if status != 429 || errorCode(body) != "too_many_attempts" {
		t.Errorf("6th attempt of one client across two gateways: %d %v, want 429", status, body)
	}
	// The spoofable left part of the header is not the client.
	if status, _ := attempt(a, "guest10", "x", http.Header{"X-Forwarded-For": {"10.9.9.9, 198.51.100.1"}}); status != 429 {
		t.Errorf("the same client, with a forged hop in front: %d, want 429", status)
	}
	if status, _ := attempt(a, "manager", password, from("198.51.100.2")); status != 200 {
		t.Errorf("another client behind the same load balancer: %d, want 200", status)
	}

	untrusted := newRigWith(t, newRigEnv(t), "http://127.0.0.1:1")
	for i := range 5 {
		h := http.Header{"X-Forwarded-For": {"192.0.2." + strconv.Itoa(i+1)}}
		if status, _ := attempt(untrusted, "guest"+strconv.Itoa(i), "x", h); status != 401 {
			t.Fatalf("untrusted attempt %d: %d", i+1, status)
		}
	}
	if status, _ := attempt(untrusted, "guest9", "x", http.Header{"X-Forwarded-For": {"192.0.2.99"}}); status != 429 {
		t.Errorf("a peer that is no trusted proxy escaped the limit with X-Forwarded-For: %d", status)
	}
}

// Failures of one user, from any number of addresses, make that user wait
// longer before each next attempt; a success clears it.
func TestLoginBacksOffPerUser(t *testing.T) {
	env := newRigEnv(t)
	env.trusted = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
	r := newRigWith(t, env, "http://127.0.0.1:1")
	from := func(i int) http.Header { return http.Header{"X-Forwarded-For": {"198.51.100." + strconv.Itoa(i)}} }
	for i := range 4 {
		if status, _ := attempt(r, "manager", "guess", from(i+1)); status != 401 {
			t.Fatalf("failure %d: %d", i+1, status)
		}
	}
	req, _ := http.NewRequest("POST", r.base+"/api/login", strings.NewReader(`{"username":"manager","password":"`+password+`"}`))
	req.Header = from(50)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("right after four failures, from a fresh address: %d (Retry-After %q), want 429 with Retry-After", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	wait, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
	time.Sleep(time.Duration(wait)*time.Second + 100*time.Millisecond)
	if status, body := attempt(r, "manager", password, from(51)); status != 200 {
		t.Fatalf("after the wait: %d %v", status, body)
	}
	if status, _ := attempt(r, "manager", "guess", from(52)); status != 401 {
		t.Errorf("a success did not clear the backoff: %d", status)
	}
}

func rss(t *testing.T) int {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.SplitSeq(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			n, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			return n
		}
	}
	return 0
}

// A browser's frame over the limit closes its socket with 1009 before it is
// read; the feed's own frames, however big, are streamed through.
func TestFeedRelayIsBounded(t *testing.T) {
	env := newRigEnv(t)
	env.feed = feedUpstream(t)
	r := newRigWith(t, env, "http://127.0.0.1:1")
	token := r.login(t)
	wsURL := strings.Replace(r.base, "http", "ws", 1) + "/ws"
	conn := openFeed(t, wsURL, token)
	before := rss(t)
	// Written in pieces from one small buffer, so that the test's own
	// memory stays out of the reading. The gateway may hang up midway.
	if w, err := conn.NextWriter(fws.TextMessage); err == nil {
		chunk := bytes.Repeat([]byte("x"), 64<<10)
		for range (32 << 20) / len(chunk) {
			if _, err := w.Write(chunk); err != nil {
				break
			}
		}
		_ = w.Close()
	}
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, _, err := conn.ReadMessage()
	var ce *fws.CloseError
	if !errors.As(err, &ce) || ce.Code != fws.CloseMessageTooBig {
		t.Fatalf("a 32 MiB frame: %v, want a 1009 close", err)
	}
	t.Logf("RSS of the test process (gateway included) %d → %d KiB around a 32 MiB frame", before, rss(t))

	// 20 MiB from the feed arrive whole.
	big, _, err := fws.DefaultDialer.Dial(wsURL+"?size="+strconv.Itoa(20<<20), bearer(token))
	if err != nil {
		t.Fatal(err)
	}
	defer big.Close()
	big.SetReadLimit(64 << 20)
	if _, _, err := big.ReadMessage(); err != nil {
		t.Fatal(err)
	}
	if _, data, err := big.ReadMessage(); err != nil || len(data) != 20<<20 {
		t.Fatalf("a 20 MiB feed frame arrived as %d bytes, %v", len(data), err)
	}
}

// Feeds are capped per session (the rig's 3) and in all (its 5).
func TestFeedConnectionsAreCapped(t *testing.T) {
	r := newRig(t)
	wsURL := strings.Replace(r.base, "http", "ws", 1) + "/ws"
	open := func(token string) (int, error) {
		c, resp, err := fws.DefaultDialer.Dial(wsURL, bearer(token))
		if err != nil {
			if resp != nil {
				return resp.StatusCode, err
			}
			return 0, err
		}
		t.Cleanup(func() { c.Close() })
		_, _, err = c.ReadMessage()
		return 101, err
	}
	one, two, three := r.login(t), r.login(t), r.login(t)
	for i := range 3 {
		if status, err := open(one); status != 101 {
			t.Fatalf("feed %d of a session: %d %v", i+1, status, err)
		}
	}
	if status, _ := open(one); status != 429 {
		t.Errorf("a 4th feed of one session: %d, want 429", status)
	}
	for i := range 2 {
		if status, err := open(two); status != 101 {
			t.Fatalf("feed %d of another session: %d %v", i+1, status, err)
		}
	}
	if status, _ := open(three); status != 503 {
		t.Errorf("a 6th feed in all: %d, want 503", status)
	}
	_ = url.URL{}
}

// BenchmarkLoginLimits is what the Redis-kept limits add to a login: the
// client's count, the user's backoff, and clearing it on success (a login's
// bcrypt comparison, about 50 ms, dwarfs it).
func BenchmarkLoginLimits(b *testing.B) {
	rdb := testkit.Redis(b)
	l := newLoginLimits(rdb, testkit.Prefix(b, rdb), 1<<30)
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if _, err := l.admit(ctx, "198.51.100."+strconv.Itoa(i%250), "manager"); err != nil {
			b.Fatal(err)
		}
		if err := l.succeeded(ctx, "manager"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSessionCheck is a session check against Redis, uncached (a new
// session each time) and cached.
func BenchmarkSessionCheck(b *testing.B) {
	rdb := testkit.Redis(b)
	prefix := testkit.Prefix(b, rdb)
	keys := testkit.NewKeys(b)
	pub, _ := auth.ParsePublicKeys(keys.Public)
	v, _ := auth.NewVerifier(pub)
	ctx := context.Background()
	token, _ := keys.Token(b, rdb, prefix, time.Hour)
	b.Run("cached", func(b *testing.B) {
		ch := auth.NewChecker(v, auth.NewRegistry(rdb, prefix))
		for b.Loop() {
			if _, err := ch.Check(ctx, token); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("asking Redis", func(b *testing.B) {
		reg := auth.NewRegistry(rdb, prefix)
		reg.CacheFor = 0
		ch := auth.NewChecker(v, reg)
		for b.Loop() {
			if _, err := ch.Check(ctx, token); err != nil {
				b.Fatal(err)
			}
		}
	})
}
